/**
 * The least of Next.js's and Express's types the README's snippets use, so the
 * snippets type-check without either framework among the dependencies.
 */
declare module "next/headers" {
  export function headers(): Promise<Headers>;
}

declare module "express" {
  import type { IncomingMessage, ServerResponse } from "node:http";
  export interface Request extends IncomingMessage {
    originalUrl: string;
    method: string;
  }
  export interface Response extends ServerResponse {
    status(code: number): Response;
    send(body: Buffer): Response;
    json(body: unknown): Response;
  }
  type Handler = (request: Request, response: Response) => unknown;
  export interface Express {
    use(paths: string[], handler: Handler): Express;
    get(path: string, handler: Handler): Express;
    listen(port: number): unknown;
  }
  export default function express(): Express;
}
