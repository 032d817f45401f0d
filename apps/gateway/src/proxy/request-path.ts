import { BadRequestError } from '@flow-crm/http';

/**
 * The path a request names, as the services will read it: percent-decoded once, without the
 * query. Routing decisions (which service, public or not, the login route, the body limit) are
 * taken on this form, so that `/api/auth/%6Cogin` is the login route for the gateway exactly as it
 * is for identity. Dot segments are refused: no client of ours sends them, and they could make
 * the gateway and a service disagree on where a request goes.
 */
export function requestPath(url: string): string {
  const raw = url.split('?', 1)[0]!;
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    throw new BadRequestError('The request path is not valid percent-encoding');
  }
  if (/(^|\/)\.{1,2}(\/|$)/.test(path) || path.includes('\0'))
    throw new BadRequestError('The request path is not valid');
  return path;
}
