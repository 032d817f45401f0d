// npm run seed: a demo organization with an admin, a manager and two sales users, created through
// the HTTP API of a running stack (CRM_URL; by default the gateway, else identity directly).
// Running it again changes nothing: existing users are left as they are.

export const DEMO_PASSWORD = 'FlowDemo2024!';
export const DEMO_USERS = [
  { role: 'admin', name: 'Ada Admin', email: 'admin@demo.flowcrm.dev' },
  { role: 'manager', name: 'Max Manager', email: 'manager@demo.flowcrm.dev' },
  { role: 'sales', name: 'Sam Sales', email: 'sam@demo.flowcrm.dev' },
  { role: 'sales', name: 'Sofia Sales', email: 'sofia@demo.flowcrm.dev' },
];

async function baseUrl() {
  if (process.env.CRM_URL) return process.env.CRM_URL.replace(/\/+$/, '');
  for (const url of ['http://localhost:8080', 'http://localhost:3001']) {
    try {
      const res = await fetch(`${url}/api/auth/jwks.json`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return url;
    } catch {
      // try the next one
    }
  }
  throw new Error('no running stack found on :8080 or :3001 — run `npm start` first, or set CRM_URL');
}

async function call(base, method, path, body, token) {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => null);
  return { status: res.status, body: json };
}

async function main() {
  const base = await baseUrl();
  const [admin, ...others] = DEMO_USERS;
  let login = await call(base, 'POST', '/api/auth/login', { email: admin.email, password: DEMO_PASSWORD });
  if (login.status === 401) {
    const registered = await call(base, 'POST', '/api/auth/register', {
      email: admin.email,
      password: DEMO_PASSWORD,
      name: admin.name,
      organizationName: 'Demo Company',
    });
    if (registered.status !== 201)
      throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
    console.log(`created organization "Demo Company" and ${admin.email}`);
    login = { status: 200, body: registered.body };
  } else if (login.status !== 200) {
    throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
  } else {
    console.log(`${admin.email} exists`);
  }
  const token = login.body.data.token;
  for (const user of others) {
    const created = await call(base, 'POST', '/api/users', { ...user, password: DEMO_PASSWORD }, token);
    if (created.status === 201) console.log(`created ${user.role} ${user.email}`);
    else if (created.status === 409) console.log(`${user.email} exists`);
    else throw new Error(`create ${user.email}: ${created.status} ${JSON.stringify(created.body)}`);
  }
  console.log(
    `\nDemo users (password ${DEMO_PASSWORD}): ${DEMO_USERS.map((u) => `${u.email} (${u.role})`).join(', ')}`,
  );
}

main().catch((error) => {
  console.error(`seed: ${error.message}`);
  process.exit(1);
});
