// mlopsApi (HTTP): placeholder until the control plane's routes land.
import type { Request, Response } from '@google-cloud/functions-framework';

export function mlopsApi(req: Request, res: Response): void {
  res.status(501).json({ error: { code: 501, message: `${req.method} ${req.path} is not implemented yet`, status: 'UNIMPLEMENTED' } });
}
