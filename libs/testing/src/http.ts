/** One HTTP answer, read whole. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON when the answer is JSON, its text otherwise, null when empty. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
  readonly text: string;
  /** "POST /api/auth/login", for failure messages. */
  readonly request: string;
}

export interface HttpCallOptions {
  readonly token?: string;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Sent as it is (a malformed JSON text, a CSV file…); Content-Type comes from `headers`. */
  readonly raw?: string | Buffer;
  readonly headers?: Record<string, string>;
}

/** A request to a running app over real HTTP, the way a client would send it. */
export async function httpCall(
  baseUrl: string,
  method: string,
  path: string,
  options: HttpCallOptions = {},
): Promise<HttpAnswer> {
  const headers = new Headers(options.headers);
  if (options.token) headers.set('authorization', `Bearer ${options.token}`);
  let payload: string | Buffer | undefined = options.raw;
  if (options.body !== undefined) {
    payload = JSON.stringify(options.body);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  const res = await fetch(baseUrl + path, {
    method,
    headers,
    body: payload,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let body: unknown = text === '' ? null : text;
  if (text && /json/i.test(res.headers.get('content-type') ?? '')) {
    try {
      body = JSON.parse(text);
    } catch {
      // left as text for the test to judge
    }
  }
  return { status: res.status, headers: res.headers, body, text, request: `${method} ${path}` };
}
