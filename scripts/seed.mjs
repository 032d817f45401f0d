// npm run seed: a demo organization with an admin, a manager and two sales users, then (when the
// contacts service is up) its tag catalog, customers with a hierarchy, and contacts with their
// communication, then (when the pipeline service is up) lead sources, leads in every status, one
// of them converted, and deals in every stage of the default pipeline with a few activities, all
// created through the HTTP API of a running stack (CRM_URL; by default the gateway, else identity
// directly). Running it again changes nothing: what exists is left as it is.

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
  const users = await call(base, 'GET', '/api/users?limit=100', undefined, token);
  const userId = new Map((users.body?.data ?? []).map((u) => [u.email, u.id]));
  const contactId = await seedContacts(base, token, userId);
  await seedPipeline(base, token, userId, contactId);
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

/**
 * The demo's tag catalog, customers and contacts; skipped when the contacts service is not running.
 * Returns the contacts' ids by e-mail (new or existing), for the deals.
 */
async function seedContacts(base, token, userId) {
  const contactId = new Map();
  const probe = await call(base, 'GET', '/api/tags', undefined, token);
  if (probe.status !== 200) {
    console.log(`contacts service not reachable (${probe.status}): no demo customers or contacts`);
    return contactId;
  }

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
    if (created.status === 409) {
      contactId.set(fields.email, created.body?.error?.details?.existingId);
      continue;
    }
    if (created.status !== 201)
      throw new Error(`contact ${fields.name}: ${created.status} ${JSON.stringify(created.body)}`);
    contactId.set(fields.email, created.body.data.id);
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
  return contactId;
}

const LEAD_SOURCES = ['Website', 'Referral', 'Trade show', 'LinkedIn', 'Webinar', 'Partner', 'Cold outreach'];

// Leads by e-mail (the key a second run finds them by). `status` is set after the create (leads
// start `new`); `convert` turns that qualified lead into a contact, a customer and a deal.
const LEADS = [
  {
    name: 'Priya Raman',
    email: 'priya.raman@vandelay.example.com',
    phone: '+1 212 555 0141',
    company: 'Vandelay Industries',
    title: 'Director of Operations',
    source: 'Trade show',
    status: 'qualified',
    score: 86,
    rating: 'hot',
    budget: 120000,
    authority: 'Director of Operations, signs up to 150k',
    need: 'One pipeline instead of three regional spreadsheets',
    timeline: 'This quarter',
    estimatedValue: 95000,
    owner: 'sam@demo.flowcrm.dev',
    tags: ['decision-maker'],
    convert: { dealTitle: 'Vandelay Industries — sales platform rollout', dealValue: 95000 },
  },
  {
    name: 'Tom Becker',
    email: 'tom.becker@acme-logistics.example.com',
    company: 'Acme Logistics',
    title: 'COO',
    source: 'Referral',
    status: 'qualified',
    score: 78,
    rating: 'hot',
    budget: 60000,
    authority: 'COO',
    need: 'Dispatch team needs shared follow-ups',
    timeline: 'Next quarter',
    estimatedValue: 54000,
    owner: 'sofia@demo.flowcrm.dev',
    tags: ['vip', 'decision-maker'],
  },
  {
    name: 'Fatima Al-Sayed',
    email: 'fatima.alsayed@cyberdyne.example.com',
    company: 'Cyberdyne Robotics',
    title: 'VP Sales',
    source: 'Partner',
    status: 'qualified',
    score: 72,
    rating: 'warm',
    budget: 70000,
    need: 'Forecasting for a 40-person sales team',
    timeline: 'Within 6 months',
    estimatedValue: 68000,
    owner: 'manager@demo.flowcrm.dev',
    tags: ['champion'],
  },
  {
    name: 'Elena Petrova',
    email: 'elena.petrova@starkretail.example.com',
    company: 'Stark Retail',
    title: 'Head of Customer Experience',
    source: 'Webinar',
    status: 'contacted',
    score: 64,
    rating: 'warm',
    estimatedValue: 30000,
    timeline: 'Q3',
    owner: 'sam@demo.flowcrm.dev',
    tags: ['newsletter'],
  },
  {
    name: 'Kenji Watanabe',
    email: 'kenji.watanabe@waynebiotech.example.com',
    company: 'Wayne Biotech',
    title: 'IT Manager',
    source: 'LinkedIn',
    status: 'contacted',
    score: 58,
    rating: 'warm',
    estimatedValue: 42000,
    owner: 'sofia@demo.flowcrm.dev',
  },
  {
    name: 'Nora Lindqvist',
    email: 'nora.lindqvist@nordicfreight.example.com',
    company: 'Nordic Freight AB',
    title: 'Logistics Manager',
    source: 'Trade show',
    status: 'contacted',
    score: 51,
    rating: 'warm',
    estimatedValue: 26000,
    owner: 'manager@demo.flowcrm.dev',
    tags: ['newsletter'],
  },
  {
    name: 'Chloé Martin',
    email: 'chloe.martin@massivedynamic.example.com',
    company: 'Massive Dynamic',
    title: 'CFO',
    source: 'Website',
    status: 'new',
    score: 48,
    rating: 'warm',
    estimatedValue: 75000,
    owner: 'manager@demo.flowcrm.dev',
    tags: ['decision-maker'],
  },
  {
    name: 'Amara Okafor',
    email: 'amara.okafor@lagosfintech.example.com',
    company: 'Lagos Fintech Hub',
    title: 'Head of Partnerships',
    source: 'LinkedIn',
    status: 'new',
    score: 40,
    rating: 'warm',
    estimatedValue: 22000,
    owner: 'sofia@demo.flowcrm.dev',
    tags: ['champion'],
  },
  {
    name: 'Oliver Grant',
    email: 'oliver.grant@soylentfoods.example.com',
    company: 'Soylent Foods',
    title: 'Procurement Lead',
    source: 'Website',
    status: 'new',
    score: 35,
    rating: 'cold',
    estimatedValue: 18000,
    owner: 'sam@demo.flowcrm.dev',
  },
  {
    name: 'Diego Alvarez',
    email: 'diego.alvarez@piedpiper.example.com',
    company: 'Pied Piper',
    title: 'CTO',
    source: 'Cold outreach',
    status: 'new',
    score: 22,
    rating: 'cold',
    estimatedValue: 12000,
    owner: 'sam@demo.flowcrm.dev',
  },
  {
    name: 'Rahul Mehta',
    email: 'rahul.mehta@tyrellanalytics.example.com',
    company: 'Tyrell Analytics',
    title: 'Data Lead',
    source: 'Webinar',
    status: 'unqualified',
    score: 15,
    rating: 'cold',
    need: 'Only looking for a free tool',
    estimatedValue: 5000,
    owner: 'sofia@demo.flowcrm.dev',
    tags: ['newsletter'],
  },
  {
    name: 'George Bluth',
    email: 'george.bluth@bluthcompany.example.com',
    company: 'Bluth Company',
    title: 'Owner',
    source: 'Referral',
    status: 'unqualified',
    score: 10,
    rating: 'cold',
    need: 'No budget this year',
    estimatedValue: 8000,
    owner: 'manager@demo.flowcrm.dev',
  },
];

const utcDay = (date) => date.toISOString().slice(0, 10);
/** A date `months` calendar months ahead (UTC): the last day of this month for 0, else that month's `day`. */
function inMonths(months, day = 15) {
  const now = new Date();
  const [year, month] = [now.getUTCFullYear(), now.getUTCMonth()];
  return utcDay(new Date(months === 0 ? Date.UTC(year, month + 1, 0) : Date.UTC(year, month + months, day)));
}
const daysAgoDate = (days) => utcDay(new Date(Date.now() - days * 86_400_000));

// Deals by title (the key a second run finds them by). `contact` is a seeded contact's e-mail; a
// closed deal is created in negotiation and then moved, so that its stage history shows the close.
// Activities: [type, days ago, description, outcome, next step].
const DEALS = [
  {
    title: 'Jian Yang — NewCo starter plan',
    contact: 'jian.yang@example.com',
    company: 'NewCo Apps',
    value: 6000,
    stage: 'prospect',
    expectedCloseDate: inMonths(1, 10),
    confidence: 'low',
    priority: 'low',
    owner: 'sofia@demo.flowcrm.dev',
    tags: ['newsletter'],
  },
  {
    title: 'Initech — operations pilot',
    contact: 'bill.lumbergh@initech.example.com',
    company: 'Initech',
    value: 18000,
    stage: 'prospect',
    expectedCloseDate: inMonths(4, 20),
    confidence: 'low',
    owner: 'sam@demo.flowcrm.dev',
    description: 'Ten-seat pilot for the operations team; budget is decided in Q1.',
    activities: [['call', 20, 'Discovery call with Bill', 'Pilot scope agreed', 'Send the pilot plan']],
  },
  {
    title: 'Massive Dynamic — analytics suite',
    company: 'Massive Dynamic',
    value: 52000,
    stage: 'prospect',
    expectedCloseDate: inMonths(5, 12),
    owner: 'manager@demo.flowcrm.dev',
  },
  {
    title: 'Globex Americas — Monterrey plant rollout',
    contact: 'luis.ortega@globex-us.example.com',
    company: 'Globex Americas',
    value: 64000,
    stage: 'qualified',
    expectedCloseDate: inMonths(3, 5),
    owner: 'sofia@demo.flowcrm.dev',
    tags: ['champion'],
    activities: [
      ['meeting', 4, 'Site visit at the Monterrey plant', 'Three lines in scope', 'Sizing workshop'],
    ],
  },
  {
    title: 'Hooli Partners — co-selling agreement',
    contact: 'gavin.belson@hooli.example.com',
    company: 'Hooli Partners',
    value: 30000,
    stage: 'qualified',
    expectedCloseDate: inMonths(2, 8),
    confidence: 'high',
    owner: 'manager@demo.flowcrm.dev',
  },
  {
    title: 'Stark Retail — support desk migration',
    company: 'Stark Retail',
    value: 38000,
    stage: 'qualified',
    expectedCloseDate: inMonths(4, 1),
    owner: 'sam@demo.flowcrm.dev',
  },
  {
    title: 'Globex Europe — three-year renewal',
    contact: 'marta.klein@globex-eu.example.com',
    company: 'Globex Europe',
    value: 86000,
    stage: 'proposal',
    expectedCloseDate: inMonths(2, 20),
    confidence: 'high',
    priority: 'high',
    owner: 'sam@demo.flowcrm.dev',
    tags: ['decision-maker'],
    activities: [
      ['call', 6, 'Renewal terms with Marta', 'Wants a three-year price lock', 'Revise the proposal'],
      ['proposal', 12, 'Renewal proposal sent', null, 'Follow up in a week'],
    ],
  },
  {
    title: 'Wayne Biotech — compliance module',
    company: 'Wayne Biotech',
    value: 72000,
    stage: 'proposal',
    expectedCloseDate: inMonths(3, 25),
    owner: 'sofia@demo.flowcrm.dev',
    competitorMentioned: 'HubSpot',
  },
  {
    title: 'Globex — enterprise licence expansion',
    contact: 'hank.scorpio@globex.example.com',
    company: 'Globex Holdings',
    value: 240000,
    stage: 'negotiation',
    expectedCloseDate: inMonths(1, 28),
    confidence: 'high',
    priority: 'high',
    owner: 'manager@demo.flowcrm.dev',
    competitorMentioned: 'Salesforce',
    tags: ['vip'],
    activities: [
      ['meeting', 2, 'Quarterly business review', 'Expansion to two more plants', 'Legal review of the MSA'],
      ['demo', 9, 'Forecasting demo for the regional VPs', 'Positive; asked for SSO', null],
    ],
  },
  {
    title: 'Umbrella Health — onboarding recovery package',
    contact: 'alice.abernathy@umbrella.example.com',
    company: 'Umbrella Health',
    value: 45000,
    stage: 'negotiation',
    expectedCloseDate: inMonths(0),
    confidence: 'low',
    priority: 'high',
    owner: 'sofia@demo.flowcrm.dev',
    tags: ['vip'],
  },
  {
    title: 'Globex — premium support renewal',
    contact: 'hank.scorpio@globex.example.com',
    company: 'Globex Holdings',
    value: 120000,
    stage: 'closed_won',
    expectedCloseDate: daysAgoDate(14),
    closedDate: daysAgoDate(18),
    confidence: 'high',
    owner: 'manager@demo.flowcrm.dev',
    tags: ['vip'],
  },
  {
    title: 'Hooli Partners — training package',
    contact: 'gavin.belson@hooli.example.com',
    company: 'Hooli Partners',
    value: 15000,
    stage: 'closed_won',
    expectedCloseDate: daysAgoDate(35),
    closedDate: daysAgoDate(40),
    owner: 'manager@demo.flowcrm.dev',
  },
  {
    title: 'Umbrella Health — patient portal add-on',
    contact: 'alice.abernathy@umbrella.example.com',
    company: 'Umbrella Health',
    value: 58000,
    stage: 'closed_lost',
    expectedCloseDate: daysAgoDate(5),
    closedDate: daysAgoDate(9),
    lossReason: 'Budget moved to an in-house build after the onboarding delays',
    competitorMentioned: 'In-house build',
    owner: 'sofia@demo.flowcrm.dev',
    activities: [['meeting', 40, 'Escalation with Alice', 'Unhappy with onboarding delays', null]],
  },
  {
    title: 'Initech — data migration services',
    contact: 'peter.gibbons@initech.example.com',
    company: 'Initech',
    value: 27000,
    stage: 'closed_lost',
    expectedCloseDate: daysAgoDate(20),
    closedDate: daysAgoDate(25),
    lossReason: 'Lost on price to a cheaper competitor',
    competitorMentioned: 'Zoho',
    owner: 'sam@demo.flowcrm.dev',
  },
];

const CLOSED_STAGES = ['closed_won', 'closed_lost'];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const money = (value, currency = 'USD') => `${Number(value).toLocaleString('en-US')} ${currency}`;

/** Every item of a paginated list (100 a page). */
async function listAll(base, path, token) {
  const items = [];
  for (let page = 1; ; page++) {
    const res = await call(base, 'GET', `${path}?limit=100&page=${page}`, undefined, token);
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    items.push(...res.body.data);
    if (page >= (res.body.meta?.totalPages ?? 1)) return items;
  }
}

/**
 * POSTs a lead or a deal. Pipeline learns users and contacts from identity's and contacts' events,
 * so right after they were created it may not know them yet: a 422 naming only `ownerId` or
 * `contactId` is retried for a few seconds.
 */
async function createEventually(base, path, body, token, what) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const created = await call(base, 'POST', path, body, token);
    if (created.status === 201) return created.body.data;
    const fields = created.status === 422 ? (created.body?.error?.details ?? []).map((d) => d.field) : [];
    const replicaLag = fields.length > 0 && fields.every((f) => f === 'ownerId' || f === 'contactId');
    if (!replicaLag || Date.now() > deadline)
      throw new Error(`${what}: ${created.status} ${JSON.stringify(created.body)}`);
    await sleep(500);
  }
}

/**
 * The demo's lead sources, leads (one converted) and deals with activities; skipped when the
 * pipeline service is not running. Leads are found again by e-mail, deals by title.
 */
async function seedPipeline(base, token, userId, contactId) {
  const probe = await call(base, 'GET', '/api/leads/sources', undefined, token);
  if (probe.status !== 200) {
    console.log(`pipeline service not reachable (${probe.status}): no demo leads or deals`);
    return;
  }
  const knownSources = new Set(probe.body.data.map((source) => source.name));
  for (const name of LEAD_SOURCES.filter((n) => !knownSources.has(n))) {
    const created = await call(base, 'POST', '/api/leads/sources', { name }, token);
    if (created.status === 409) continue;
    if (created.status !== 201)
      throw new Error(`lead source ${name}: ${created.status} ${JSON.stringify(created.body)}`);
    console.log(`created lead source ${name}`);
  }

  const existingLeads = new Map((await listAll(base, '/api/leads', token)).map((l) => [l.email, l]));
  for (const { owner, status, convert, ...fields } of LEADS) {
    let lead = existingLeads.get(fields.email);
    if (!lead) {
      const body = { ...fields, ownerId: userId.get(owner) };
      lead = await createEventually(base, '/api/leads', body, token, `lead ${fields.name}`);
      if (lead.status !== status) {
        const changed = await call(base, 'PATCH', `/api/leads/${lead.id}/status`, { status }, token);
        if (changed.status !== 200)
          throw new Error(`status of lead ${fields.name}: ${changed.status} ${JSON.stringify(changed.body)}`);
        lead = changed.body.data;
      }
      console.log(
        `created lead ${lead.leadNumber} ${lead.name} (${lead.status}, ${lead.source}, score ${lead.score}, ` +
          `${lead.rating}, ${money(lead.estimatedValue)})`,
      );
    }
    // Converted once: a second run finds it `converted` and leaves it.
    if (convert && lead.status === 'qualified') await convertLead(base, token, lead, convert);
  }

  const existingDeals = new Set((await listAll(base, '/api/deals', token)).map((d) => d.title));
  for (const { contact, owner, stage, closedDate, lossReason, activities = [], ...fields } of DEALS) {
    if (existingDeals.has(fields.title)) continue;
    const closed = CLOSED_STAGES.includes(stage);
    const body = {
      ...fields,
      stage: closed ? 'negotiation' : stage,
      ownerId: userId.get(owner),
      contactId: contact ? contactId.get(contact) : undefined,
    };
    let deal = await createEventually(base, '/api/deals', body, token, `deal ${fields.title}`);
    if (closed) {
      const moved = await call(
        base,
        'PATCH',
        `/api/deals/${deal.id}/stage`,
        { stage, closedDate, lossReason },
        token,
      );
      if (moved.status !== 200)
        throw new Error(`stage of deal ${fields.title}: ${moved.status} ${JSON.stringify(moved.body)}`);
      deal = moved.body.data;
    }
    for (const [type, days, description, outcome, nextStep] of activities) {
      const activity = { type, occurredAt: daysAgo(days), description, outcome, nextStep };
      const logged = await call(base, 'POST', `/api/deals/${deal.id}/activities`, activity, token);
      if (logged.status !== 201)
        throw new Error(`activity of deal ${fields.title}: ${logged.status} ${JSON.stringify(logged.body)}`);
    }
    const details = [
      deal.stage,
      money(deal.value, deal.currency),
      closed ? `closed ${deal.closedDate}` : `closes ${deal.expectedCloseDate}`,
      deal.contactName && `contact ${deal.contactName}`,
      deal.lossReason && `lost: ${deal.lossReason}`,
      activities.length > 0 && `${activities.length} ${activities.length === 1 ? 'activity' : 'activities'}`,
    ];
    console.log(`created deal "${deal.title}" (${details.filter(Boolean).join(', ')})`);
  }

  const board = await call(base, 'GET', '/api/deals/board', undefined, token);
  const stats = await call(base, 'GET', '/api/leads/stats', undefined, token);
  if (stats.status === 200)
    console.log(
      `\nLeads: ${Object.entries(stats.body.data.byStatus)
        .map(([status, count]) => `${status} ${count}`)
        .join(', ')}`,
    );
  if (board.status === 200)
    console.log(
      `Deals board: ${board.body.data.stages
        .map((s) => `${s.name} ${s.count} (${money(s.totalValue)})`)
        .join(', ')}`,
    );
}

/**
 * The conversion saga: pipeline marks the lead converted and opens its deal at once; contacts
 * creates the contact (and the customer) from the event, shortly after. The deal gets an expected
 * close date so that it counts in the forecast.
 */
async function convertLead(base, token, lead, { dealTitle, dealValue }) {
  const converted = await call(
    base,
    'POST',
    `/api/leads/${lead.id}/convert`,
    { createDeal: true, dealTitle, dealValue },
    token,
  );
  if (converted.status !== 200)
    throw new Error(`convert lead ${lead.name}: ${converted.status} ${JSON.stringify(converted.body)}`);
  const { contactId, customerId, dealId } = converted.body.data;
  const dated = await call(
    base,
    'PATCH',
    `/api/deals/${dealId}`,
    { expectedCloseDate: inMonths(2, 1) },
    token,
  );
  if (dated.status !== 200)
    throw new Error(`deal of lead ${lead.name}: ${dated.status} ${JSON.stringify(dated.body)}`);
  console.log(
    `converted lead ${lead.leadNumber} ${lead.name}: deal "${dated.body.data.title}" ` +
      `(${dated.body.data.stage}, ${money(dated.body.data.value)}), contact ${contactId}` +
      (customerId ? `, customer ${customerId}` : ''),
  );
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if ((await call(base, 'GET', `/api/contacts/${contactId}`, undefined, token)).status === 200) {
      console.log(`  contact ${lead.name} created by contacts`);
      return;
    }
    await sleep(500);
  }
  console.log(`  contact ${lead.name} not in contacts yet (it is created from the conversion event)`);
}

main().catch((error) => {
  console.error(`seed: ${error.message}`);
  process.exit(1);
});
