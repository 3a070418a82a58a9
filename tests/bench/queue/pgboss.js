// pg-boss@10.4.2's side of the queue benchmark (tests/bench/queue/run).
//   node pgboss.js burn SOCKET_DIR DB JOBS CONCURRENCY
//   node pgboss.js latency SOCKET_DIR DB SAMPLES CONCURRENCY
// pg-boss 10 has no per-worker concurrency option: CONCURRENCY work()
// loops, each fetching one job at a time (its default batchSize) and polling
// every 0.5 s, the shortest interval it allows (it has no LISTEN/NOTIFY).
const PgBoss = require("pg-boss");

const [mode, sock, db, nStr, concStr] = process.argv.slice(2);
const n = Number(nStr), concurrency = Number(concStr);

async function main() {
  const boss = new PgBoss({ host: sock, database: db, user: "debate", max: concurrency + 2,
    schema: "pgboss", supervise: false, schedule: false });
  boss.on("error", (e) => console.error(e));
  await boss.start();
  const q = mode === "burn" ? "noop" : "lat";
  await boss.createQueue(q);
  await boss.deleteQueue(q).catch(() => {});
  await boss.createQueue(q);
  if (mode === "burn") {
    for (let i = 0; i < n; i += 1000)
      await boss.insert(Array.from({ length: Math.min(1000, n - i) }, () => ({ name: q, data: {} })));
    let done = 0, finish;
    const all = new Promise((resolve) => { finish = resolve; });
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < concurrency; i++)
      await boss.work(q, { pollingIntervalSeconds: 0.5 }, async (jobs) => {
        done += jobs.length;
        if (done >= n) finish();
      });
    await all;
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`burn jobs=${n} seconds=${s.toFixed(3)} rate=${(n / s).toFixed(1)}`);
  } else {
    let got;
    for (let i = 0; i < concurrency; i++)
      await boss.work(q, { pollingIntervalSeconds: 0.5 }, async ([job]) => {
        got(process.hrtime.bigint() - BigInt(job.data.t0));
      });
    const v = [];
    for (let i = 0; i < n; i++) {
      await new Promise((r) => setTimeout(r, 5));	// an idle queue
      const seen = new Promise((resolve) => { got = resolve; });
      await boss.send(q, { t0: process.hrtime.bigint().toString() });
      v.push(Number(await seen) / 1e6);
    }
    v.sort((a, b) => a - b);
    console.log(`latency n=${n} p50_ms=${v[Math.floor(n / 2)].toFixed(3)} p99_ms=${v[Math.ceil(n * 0.99) - 1].toFixed(3)}`);
  }
  await boss.stop({ graceful: false, wait: false });
}

main().then(() => process.exit(0)).catch((e) => { console.error(e); process.exit(1); });
