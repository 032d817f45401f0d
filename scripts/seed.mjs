// npm run seed: a demo organization with an admin, a manager and two sales users, then (when the
// contacts service is up) its tag catalog, customers with a hierarchy, and contacts with their
// communication, all created through the HTTP API of a running stack (CRM_URL; by default the
// gateway, else identity directly). Running it again changes nothing: what exists is left as it is.

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
  await seedContacts(base, token);
  console.log(
    `\nDemo users (password ${DEMO_PASSWORD}): ${DEMO_USERS.map((u) => `${u.email} (${u.role})`).join(', ')}`,
  );
}

const TAGS = [
  { name: 'vip', color: '#d97706' },
  { name: 'decision-maker', color: '#2563eb' },
  { name: 'newsletter', color: '#059669' },
  { name: 'champion', color: '#7c3aed' },
];

// Customers by key; `parent` names another key. Owners are demo users by e-mail.
const CUSTOMERS = [
  {
    key: 'globex',
    name: 'Globex Holdings',
    industry: 'Manufacturing',
    type: 'customer',
    tier: 'platinum',
    size: '5000+',
    annualRevenue: 420000000,
    employeeCount: 12000,
    healthScore: 82,
    website: 'https://globex.example.com',
    owner: 'manager@demo.flowcrm.dev',
    tags: ['vip'],
  },
  {
    key: 'globex-eu',
    parent: 'globex',
    name: 'Globex Europe',
    industry: 'Manufacturing',
    type: 'customer',
    tier: 'gold',
    size: '1001-5000',
    annualRevenue: 96000000,
    employeeCount: 2300,
    healthScore: 74,
    owner: 'sam@demo.flowcrm.dev',
  },
  {
    key: 'globex-us',
    parent: 'globex',
    name: 'Globex Americas',
    industry: 'Manufacturing',
    type: 'customer',
    tier: 'gold',
    size: '1001-5000',
    annualRevenue: 180000000,
    employeeCount: 4100,
    healthScore: 69,
    owner: 'sofia@demo.flowcrm.dev',
  },
  {
    key: 'initech',
    name: 'Initech',
    industry: 'Software',
    type: 'prospect',
    tier: 'silver',
    size: '201-1000',
    annualRevenue: 38000000,
    employeeCount: 640,
    healthScore: 55,
    website: 'https://initech.example.com',
    owner: 'sam@demo.flowcrm.dev',
  },
  {
    key: 'umbrella',
    name: 'Umbrella Health',
    industry: 'Healthcare',
    type: 'customer',
    tier: 'gold',
    size: '1001-5000',
    annualRevenue: 250000000,
    employeeCount: 3900,
    healthScore: 38,
    owner: 'sofia@demo.flowcrm.dev',
    tags: ['vip'],
  },
  {
    key: 'hooli',
    name: 'Hooli Partners',
    industry: 'Software',
    type: 'partner',
    tier: 'bronze',
    size: '51-200',
    annualRevenue: 12000000,
    employeeCount: 150,
    healthScore: 90,
    owner: 'manager@demo.flowcrm.dev',
  },
];

const daysAgo = (days) => new Date(Date.now() - days * 86_400_000).toISOString();
const CONTACTS = [
  {
    name: 'Hank Scorpio',
    email: 'hank.scorpio@globex.example.com',
    title: 'CEO',
    customer: 'globex',
    owner: 'manager@demo.flowcrm.dev',
    healthScore: 88,
    churnRisk: 10,
    relationshipHealth: 'high',
    sentiment: 'positive',
    tags: ['vip', 'decision-maker'],
    nextFollowUpAt: daysAgo(-3),
    talks: [['meeting', 2, 'Quarterly business review', 'Expansion to two more plants discussed']],
  },
  {
    name: 'Marta Klein',
    email: 'marta.klein@globex-eu.example.com',
    title: 'Head of Procurement',
    customer: 'globex-eu',
    owner: 'sam@demo.flowcrm.dev',
    healthScore: 71,
    churnRisk: 25,
    tags: ['decision-maker'],
    nextFollowUpAt: daysAgo(1),
    talks: [
      ['call', 6, 'Renewal terms', 'Wants a three-year price lock'],
      ['email', 12, 'Proposal sent', 'Sent the renewal proposal'],
    ],
  },
  {
    name: 'Luis Ortega',
    email: 'luis.ortega@globex-us.example.com',
    title: 'Plant Manager',
    customer: 'globex-us',
    owner: 'sofia@demo.flowcrm.dev',
    healthScore: 64,
    churnRisk: 35,
    tags: ['champion'],
    talks: [['meeting', 4, 'Site visit', 'Toured the Monterrey plant']],
  },
  {
    name: 'Bill Lumbergh',
    email: 'bill.lumbergh@initech.example.com',
    title: 'VP Operations',
    customer: 'initech',
    owner: 'sam@demo.flowcrm.dev',
    healthScore: 45,
    churnRisk: 55,
    sentiment: 'neutral',
    tags: ['decision-maker'],
    nextFollowUpAt: daysAgo(2),
    talks: [['call', 20, 'Discovery call', 'Budget planning happens in Q1']],
  },
  {
    name: 'Peter Gibbons',
    email: 'peter.gibbons@initech.example.com',
    title: 'Software Engineer',
    customer: 'initech',
    owner: 'sam@demo.flowcrm.dev',
    healthScore: 60,
    churnRisk: 20,
    tags: ['champion', 'newsletter'],
    talks: [['email', 3, 'Trial feedback', 'Loves the pipeline board']],
  },
  {
    name: 'Alice Abernathy',
    email: 'alice.abernathy@umbrella.example.com',
    title: 'Chief Medical Officer',
    customer: 'umbrella',
    owner: 'sofia@demo.flowcrm.dev',
    healthScore: 32,
    churnRisk: 78,
    relationshipHealth: 'low',
    sentiment: 'negative',
    tags: ['vip'],
    nextFollowUpAt: daysAgo(5),
    talks: [['meeting', 40, 'Escalation', 'Unhappy with onboarding delays']],
  },
  {
    name: 'Gavin Belson',
    email: 'gavin.belson@hooli.example.com',
    title: 'Partner Manager',
    customer: 'hooli',
    owner: 'manager@demo.flowcrm.dev',
    healthScore: 92,
    churnRisk: 5,
    relationshipHealth: 'high',
    sentiment: 'positive',
    tags: ['newsletter'],
    talks: [['note', 1, 'Co-marketing', 'Joint webinar planned for next month']],
  },
  {
    name: 'Jian Yang',
    email: 'jian.yang@example.com',
    title: 'Founder',
    company: 'NewCo Apps',
    owner: 'sofia@demo.flowcrm.dev',
    healthScore: 50,
    churnRisk: 40,
    tags: ['newsletter'],
    talks: [],
  },
];

/** The demo's tag catalog, customers and contacts; skipped when the contacts service is not running. */
async function seedContacts(base, token) {
  const probe = await call(base, 'GET', '/api/tags', undefined, token);
  if (probe.status !== 200) {
    console.log(`contacts service not reachable (${probe.status}): no demo customers or contacts`);
    return;
  }
  const users = await call(base, 'GET', '/api/users?limit=100', undefined, token);
  const userId = new Map((users.body?.data ?? []).map((u) => [u.email, u.id]));

  const knownTags = new Set(probe.body.data.map((t) => t.name));
  for (const tag of TAGS.filter((t) => !knownTags.has(t.name))) {
    const created = await call(base, 'POST', '/api/tags', tag, token);
    if (created.status !== 201)
      throw new Error(`tag ${tag.name}: ${created.status} ${JSON.stringify(created.body)}`);
  }

  const customerId = new Map();
  for (const { key, parent, owner, ...fields } of CUSTOMERS) {
    const found = await call(
      base,
      'GET',
      `/api/customers?search=${encodeURIComponent(fields.name)}&limit=100`,
      undefined,
      token,
    );
    const existing = found.body?.data?.find((c) => c.name === fields.name);
    if (existing) {
      customerId.set(key, existing.id);
      continue;
    }
    const body = {
      ...fields,
      ownerId: userId.get(owner),
      parentId: parent ? customerId.get(parent) : undefined,
    };
    const created = await call(base, 'POST', '/api/customers', body, token);
    if (created.status !== 201)
      throw new Error(`customer ${fields.name}: ${created.status} ${JSON.stringify(created.body)}`);
    customerId.set(key, created.body.data.id);
    console.log(`created customer ${fields.name}`);
  }

  for (const { customer, owner, talks, ...fields } of CONTACTS) {
    const body = {
      ...fields,
      customerId: customer ? customerId.get(customer) : undefined,
      ownerId: userId.get(owner),
    };
    if (customer && !body.company) body.company = CUSTOMERS.find((c) => c.key === customer).name;
    const created = await call(base, 'POST', '/api/contacts', body, token);
    if (created.status === 409) continue;
    if (created.status !== 201)
      throw new Error(`contact ${fields.name}: ${created.status} ${JSON.stringify(created.body)}`);
    for (const [type, days, subject, summary] of talks) {
      const logged = await call(
        base,
        'POST',
        `/api/contacts/${created.body.data.id}/communication`,
        { type, occurredAt: daysAgo(days), subject, summary },
        token,
      );
      if (logged.status !== 201) throw new Error(`communication of ${fields.name}: ${logged.status}`);
    }
    console.log(`created contact ${fields.name}`);
  }
}

main().catch((error) => {
  console.error(`seed: ${error.message}`);
  process.exit(1);
});
