// graphile-worker@0.16.6's side of the queue benchmark (tests/bench/queue/run).
//   node graphile.js burn SOCKET_DIR DB JOBS CONCURRENCY
//   node graphile.js latency SOCKET_DIR DB SAMPLES CONCURRENCY
// Prints the same lines as qbench: "burn jobs=N seconds=S rate=R",
// "latency n=N p50_ms=A p99_ms=B".  Its own runner and no-op task, default
// options except concurrency (and no signal handling, no logging).
const { run, runMigrations, makeWorkerUtils, Logger } = require("graphile-worker");
const { Pool } = require("pg");

const [mode, sock, db, nStr, concStr] = process.argv.slice(2);
const n = Number(nStr), concurrency = Number(concStr);
const logger = new Logger(() => () => {});
const pool = new Pool({ host: sock, database: db, user: "debate", max: concurrency + 2 });

async function burn() {
  await runMigrations({ pgPool: pool, logger });
  await pool.query("DELETE FROM graphile_worker._private_jobs");
  await pool.query(
    `SELECT graphile_worker.add_jobs(array(SELECT json_populate_record(NULL::graphile_worker.job_spec,
       '{"identifier": "noop"}') FROM generate_series(1, $1)))`, [n]);
  let done = 0, finish;
  const all = new Promise((resolve) => { finish = resolve; });
  const t0 = process.hrtime.bigint();
  const runner = await run({
    pgPool: pool, concurrency, noHandleSignals: true, logger,
    taskList: { noop: async () => { if (++done === n) finish(); } },
  });
  await all;
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  await runner.stop();
  console.log(`burn jobs=${n} seconds=${s.toFixed(3)} rate=${(n / s).toFixed(1)}`);
}

async function latency() {
  await runMigrations({ pgPool: pool, logger });
  await pool.query("DELETE FROM graphile_worker._private_jobs");
  let got;
  const runner = await run({
    pgPool: pool, concurrency, noHandleSignals: true, logger,
    taskList: { lat: async (p) => { got(process.hrtime.bigint() - BigInt(p.t0)); } },
  });
  const utils = await makeWorkerUtils({ pgPool: pool, logger });
  const v = [];
  await new Promise((r) => setTimeout(r, 500));
  for (let i = 0; i < n; i++) {
    await new Promise((r) => setTimeout(r, 5));	// an idle queue
    const seen = new Promise((resolve) => { got = resolve; });
    await utils.addJob("lat", { t0: process.hrtime.bigint().toString() });
    v.push(Number(await seen) / 1e6);
  }
  await runner.stop();
  await utils.release();
  v.sort((a, b) => a - b);
  console.log(`latency n=${n} p50_ms=${v[Math.floor(n / 2)].toFixed(3)} p99_ms=${v[Math.ceil(n * 0.99) - 1].toFixed(3)}`);
}

(mode === "burn" ? burn() : latency())
  .then(() => pool.end())
  .catch((e) => { console.error(e); process.exit(1); });
