/**
 * Every CSV layout by its catalog id: which rows a record yields (one for main files, one per nested item
 * for side files) and the columns of each row.
 */
import type { CsvLayoutId } from '../../streams/catalog';
import type { GraphRecord, TruncationCounts } from '../types';
import { applicationSignInColumns } from './applicationSignInColumns';
import { addAuditTruncation, auditColumns } from './auditColumns';
import type { CsvColumn } from './csvColumn';
import { managedIdentitySignInColumns } from './managedIdentitySignInColumns';
import { provisioningColumns } from './provisioningColumns';
import { modifiedPropertyRows, provisioningModifiedPropertyColumns } from './provisioningModifiedPropertyColumns';
import { provisioningStepColumns, provisioningStepRows } from './provisioningStepColumns';
import { authDetailRows, userSignInAuthDetailColumns } from './userSignInAuthDetailColumns';
import { userSignInColumns } from './userSignInColumns';

export interface CsvLayout<Row> {
  id: CsvLayoutId;
  columns: readonly CsvColumn<Row>[];
  rowsOf: (record: GraphRecord) => readonly Row[];
  /** Present for layouts that cannot hold every nested item (audit). */
  addTruncation?: (record: GraphRecord, counts: TruncationCounts) => void;
}

/** Hides the row type so layouts of different row types share one table; `rowsOf` and `columns` still agree. */
export type AnyCsvLayout = CsvLayout<unknown>;

function layout<Row>(definition: CsvLayout<Row>): AnyCsvLayout {
  return definition as unknown as AnyCsvLayout;
}

const oneRow = (record: GraphRecord): readonly GraphRecord[] => [record];

export const CSV_LAYOUTS: Readonly<Record<CsvLayoutId, AnyCsvLayout>> = {
  audit: layout({ id: 'audit', columns: auditColumns, rowsOf: oneRow, addTruncation: addAuditTruncation }),
  userSignIns: layout({ id: 'userSignIns', columns: userSignInColumns, rowsOf: oneRow }),
  userSignInAuthDetails: layout({ id: 'userSignInAuthDetails', columns: userSignInAuthDetailColumns, rowsOf: authDetailRows }),
  applicationSignIns: layout({ id: 'applicationSignIns', columns: applicationSignInColumns, rowsOf: oneRow }),
  managedIdentitySignIns: layout({ id: 'managedIdentitySignIns', columns: managedIdentitySignInColumns, rowsOf: oneRow }),
  provisioning: layout({ id: 'provisioning', columns: provisioningColumns, rowsOf: oneRow }),
  provisioningSteps: layout({ id: 'provisioningSteps', columns: provisioningStepColumns, rowsOf: provisioningStepRows }),
  provisioningModifiedProperties: layout({
    id: 'provisioningModifiedProperties',
    columns: provisioningModifiedPropertyColumns,
    rowsOf: modifiedPropertyRows,
  }),
};
