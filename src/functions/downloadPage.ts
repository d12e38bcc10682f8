/** HTTP: `GET /api/ui` and `GET /api/ui/{asset}`, the download page. Logic and why it is anonymous: src/api/page/downloadPage.ts. */
import { serveDownloadPage } from '../api/page/downloadPage';
import { adaptHttp } from './httpAdapter';
import { registerHttp } from './registry';

export const downloadPageHandler = adaptHttp((request, runtime) => serveDownloadPage(request, { auth: runtime.config.api }));

registerHttp({ name: 'downloadPage', methods: ['GET'], route: 'ui/{*asset}', authLevel: 'anonymous', extraOutputs: [], handler: downloadPageHandler });
