import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { LOCAL_STATE_FILE, type LocalStackState } from '../lib/auth/aws-key-admin.js';
import { NURTURE_CAMPAIGNS, simulateLive } from '../lib/simulator/live.js';
import { DEFAULT_REACTIONS, reactionErrors } from '../lib/simulator/live-decisions.js';
import { SimulationError, type SimulationSummary, simulate } from '../lib/simulator/send.js';
import { printLiveSummary } from './simulate-live-summary.js';

const USAGE = `Usage: npm run simulate -- [options]

Sends realistic shop journeys (paid social, search, newsletter, referral and direct arrivals;
browsing, drop-offs, orders, deliveries, refunds, reviews, shares, repeat purchases; en and de)
to a running Stageflow through POST /v1/import. The same seed, days and end send the same
touchpoints: a second run is all duplicates.

Options
  --customers <n>     how many customers (default 200)
  --days <n>          the period the journeys span, ending at --end (default 90, at most 365)
  --seed <n>          the seed (default 1)
  --end <date-time>   when the period ends (default: now, to the hour); ISO 8601
  --url <url>         a deployed stack's API (default: the local stack \`npm start\` runs)
  --key <key>         an ingest or admin key (default: STAGEFLOW_API_KEY, else the local ingest key)
  --batch <n>         touchpoints per request (default 200, at most 500)
  --concurrency <n>   requests in flight (default 4)
  --json              print the summary as JSON on stdout (progress stays on stderr)

Live mode (--live): customers who act now, through the flows. They are dealt round robin to the
three nurture campaigns and each enters its trigger stage (ad click: consider, product view:
research, cart: decide); the campaign decides (mail, held out, suppressed); a mailed customer then opens
and clicks the captured mail (local SES pixel and click redirect) and buys, with the chances
below. Needs an admin key. Start the local stack with a short time scale, e.g.
STAGEFLOW_TIME_SCALE=0.001 npm start (the reminder's hour then takes 3.6 s).
  --live              run live instead of sending history
  --open <p>          chance a mailed customer opens (default ${DEFAULT_REACTIONS.open})
  --click <p>         chance an opener clicks (default ${DEFAULT_REACTIONS.click})
  --base <p>          chance to buy without the mail: held out or not mailed (default ${DEFAULT_REACTIONS.base})
  --effect <d>        true effect of the mail, added to --base for the mailed (default ${DEFAULT_REACTIONS.effect})
  --campaign <id>     send every customer to this campaign (default: the three nurture campaigns)
  --timeout <s>       how long to wait for the flows' decisions (default 900)
  With --url (deployed) mail goes to SES's mailbox simulator and opens and clicks are skipped:
  they need the real mail in a real inbox. Purchases still follow the chances.

Examples
  npm run simulate -- --customers 2000 --days 90 --seed 7
  STAGEFLOW_TIME_SCALE=0.001 npm start   # then, in another terminal:
  npm run simulate -- --live --customers 300 --effect 0.1 --seed 3
  npm run simulate -- --url https://abc123.execute-api.eu-central-1.amazonaws.com --key sf_... --customers 500`;

const say = (line: string) => process.stderr.write(`simulate: ${line}\n`);

function fail(message: string, code = 1): never {
  say(message);
  process.exit(code);
}

const positiveInt = (
  name: string,
  raw: string | undefined,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
) => {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max)
    fail(`--${name} must be a whole number from 1 to ${max} (got "${raw}")`, 2);
  return n;
};

function localState(): LocalStackState {
  if (!existsSync(LOCAL_STATE_FILE)) {
    fail(
      `no running local stack found (${LOCAL_STATE_FILE} is missing). Start one with \`npm start\`, ` +
        'or name a deployed one with --url and --key.',
    );
  }
  try {
    return JSON.parse(readFileSync(LOCAL_STATE_FILE, 'utf8')) as LocalStackState;
  } catch (error) {
    fail(`${LOCAL_STATE_FILE} is not valid JSON (${(error as Error).message}); restart \`npm start\`.`);
  }
}

function printSummary(s: SimulationSummary) {
  const line = (label: string, value: string | number) => console.log(`  ${label.padEnd(14)} ${value}`);
  const list = (r: Record<string, number>) =>
    Object.entries(r)
      .sort(([, a], [, b]) => b - a)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  console.log(
    `\nSent ${s.touchpoints} touchpoints of ${s.customers} customers to ${s.url} (seed ${s.seed}).\n`,
  );
  line('period', `${s.days} days to ${s.end}`);
  line('customers', `${s.users} signed up, ${s.anonymous} anonymous`);
  line('stored', `${s.accepted} new, ${s.duplicate} duplicates (sent before), ${s.rejected} rejected`);
  line('requests', `${s.requests} (${s.retries} retried)`);
  line('arrived via', list(s.byChannel));
  line('locales', list(s.byLocale));
  line(
    'orders',
    `${s.orders} (${s.cancellations} cancelled, ${s.refunds} refunded), ${s.reviews} reviews, ${s.shares} shares`,
  );
  line('stages now', list(s.stages));
}

async function main() {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>;
  const OPTIONS = {
    customers: { type: 'string' },
    days: { type: 'string' },
    seed: { type: 'string' },
    end: { type: 'string' },
    url: { type: 'string' },
    key: { type: 'string' },
    batch: { type: 'string' },
    concurrency: { type: 'string' },
    json: { type: 'boolean' },
    live: { type: 'boolean' },
    open: { type: 'string' },
    click: { type: 'string' },
    base: { type: 'string' },
    effect: { type: 'string' },
    campaign: { type: 'string' },
    timeout: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  } as const;
  try {
    parsed = parseArgs({ args: process.argv.slice(2), options: OPTIONS, strict: true });
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`, 2);
  }
  const v = parsed.values;
  if (v.help) {
    console.log(USAGE);
    return;
  }
  const seed = v.seed === undefined ? 1 : Number(v.seed);
  if (!Number.isInteger(seed) || seed < 0) fail(`--seed must be a whole number (got "${v.seed}")`, 2);
  let end = new Date();
  end.setUTCMinutes(0, 0, 0);
  if (v.end !== undefined) {
    end = new Date(v.end);
    if (Number.isNaN(end.getTime())) fail(`--end must be an ISO 8601 date-time (got "${v.end}")`, 2);
    if (end.getTime() > Date.now() + 60_000)
      fail('--end must not be in the future: Stageflow refuses future touchpoints', 2);
  }
  const local = v.url ? undefined : localState();
  const url = v.url ?? local!.url;
  // The local stack's own default key, loaded only for it (local/stack.ts pulls in the whole stack).
  const key =
    v.key ||
    process.env.STAGEFLOW_API_KEY ||
    (v.url ? undefined : (await import('../local/stack.js')).DEFAULT_LOCAL_KEYS[v.live ? 'admin' : 'ingest']);
  if (!key) fail(`--url needs --key (${v.live ? 'an admin' : 'an ingest or admin'} key of that stack)`, 2);

  const customers = positiveInt('customers', v.customers, v.live ? 100 : 200, 1_000_000);
  if (v.live) {
    const num = (name: 'open' | 'click' | 'base' | 'effect') =>
      v[name] === undefined ? DEFAULT_REACTIONS[name] : Number(v[name]);
    const reactions = { open: num('open'), click: num('click'), base: num('base'), effect: num('effect') };
    const errors = reactionErrors(reactions);
    if (errors.length > 0) fail(errors.join('; '), 2);
    say(`live: ${customers} customers, seed ${seed}, to ${url}`);
    const summary = await simulateLive({
      url,
      key,
      customers,
      seed,
      reactions,
      // Without --campaign every nurture campaign gets customers, so each one's lift is measured.
      campaignIds: v.campaign ? [v.campaign] : NURTURE_CAMPAIGNS,
      sesStoreUrl: local?.sesStoreUrl,
      timeoutMs: positiveInt('timeout', v.timeout, 900, 86_400) * 1000,
      progress: say,
    }).catch((error: unknown) => {
      if (error instanceof SimulationError) fail(error.message);
      throw error;
    });
    if (v.json) console.log(JSON.stringify({ ...summary, customers: summary.customers.length }));
    else printLiveSummary(summary);
    return;
  }
  const days = positiveInt('days', v.days, 90, 365);
  say(`${customers} customers over ${days} days to ${end.toISOString()}, seed ${seed}, to ${url}`);
  let lastShown = -1;
  const summary = await simulate({
    customers,
    days,
    seed,
    end,
    url,
    key,
    batchSize: positiveInt('batch', v.batch, 200, 500),
    concurrency: positiveInt('concurrency', v.concurrency, 4, 32),
    progress: (p) => {
      const pct = Math.floor((p.sent / p.total) * 100);
      if (pct === lastShown || (pct % 10 !== 0 && p.sent !== p.total && !process.stderr.isTTY)) return;
      lastShown = pct;
      say(`${p.sent}/${p.total} touchpoints (${pct} %), ${p.requests} requests, ${p.retries} retried`);
    },
  }).catch((error: unknown) => {
    if (error instanceof SimulationError) fail(error.message);
    throw error;
  });
  if (v.json) console.log(JSON.stringify(summary));
  else printSummary(summary);
}

await main();
