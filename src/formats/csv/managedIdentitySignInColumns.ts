/**
 * MSISignIns: no verbatim header is public. The admin center's file is reported to equal ApplicationSignIns,
 * and the managed-identity facts live in four columns the user sign-in header already names; so the layout is
 * the 22 ApplicationSignIns columns followed by those four (same names, same spelling). A reader keyed on the
 * ApplicationSignIns names reads it unchanged.
 */
import type { GraphRecord } from '../types';
import { applicationSignInColumns } from './applicationSignInColumns';
import type { CsvColumn } from './csvColumn';
import { managedIdentityColumns } from './userSignInColumns';

export const managedIdentitySignInColumns: readonly CsvColumn<GraphRecord>[] = [
  ...applicationSignInColumns,
  ...managedIdentityColumns(),
];
