// server.mjs — start and stop a real civicnet server for a test.
//
//   const srv = await startServer();          // demo data, free port
//   after(() => srv.stop());                  // throws on sanitizer report / bad exit
//   const res = await fetch(srv.url + '/');
//
// The binary is $CIVICNET_BIN (default build/asan/civicnet, relative to the
// repository root). Every server gets its own temporary data directory and
// loopback port, so test files can run in parallel.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 15_000;
const CLI_TIMEOUT_MS = 120_000;

// Texts that mean a sanitizer found a bug. LeakSanitizer is included because
// tests run with ASAN_OPTIONS=detect_leaks=1.
const SANITIZER_MARKERS = [
  'ERROR: AddressSanitizer',
  'ERROR: LeakSanitizer',
  'runtime error:', // UBSan
  'WARNING: ThreadSanitizer',
];

/** Returns the first sanitizer marker found in text, or null. */
export function sanitizerReport(text) {
  for (const m of SANITIZER_MARKERS) if (text.includes(m)) return m;
  return null;
}

/** Absolute path of the civicnet binary under test. */
export function civicnetBin() {
  const bin = process.env.CIVICNET_BIN || 'build/asan/civicnet';
  const abs = path.resolve(REPO_ROOT, bin);
  if (!fs.existsSync(abs)) {
    throw new Error(`civicnet binary not found: ${abs} (set CIVICNET_BIN or run make)`);
  }
  return abs;
}

/** A free TCP port on 127.0.0.1 (bind port 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Servers still running when the test process exits are killed, so a test
// that forgets stop() (or crashes) never leaves a server behind.
const live = new Set();
process.on('exit', () => {
  for (const p of live) {
    try { p.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

function childEnv(extra) {
  return { ...process.env, ...extra };
}

/**
 * Run the civicnet CLI: runCli(['migrate', '--data', dir], {input}).
 * Resolves {code, signal, stdout, stderr}; never rejects on a non-zero exit.
 * Options: input (string|Buffer for stdin), env, cwd, timeout (ms).
 */
export function runCli(args, { input, env = {}, cwd = REPO_ROOT, timeout = CLI_TIMEOUT_MS } = {}) {
  const bin = civicnetBin();
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, env: childEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeout);
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let stderr = Buffer.concat(err).toString('utf8');
      if (timedOut) stderr += `\n[runCli: killed after ${timeout} ms: civicnet ${args.join(' ')}]`;
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr });
    });
    child.stdin.on('error', () => {}); // the CLI may exit without reading stdin
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

function cliFailure(what, r) {
  const why = r.signal ? `signal ${r.signal}` : `exit code ${r.code}`;
  return new Error(`${what} failed (${why})\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`);
}

// Run the CLI and throw unless it exits 0 without sanitizer reports.
async function runCliChecked(what, args, opts) {
  const r = await runCli(args, opts);
  const marker = sanitizerReport(r.stderr);
  if (r.code !== 0 || marker) {
    throw cliFailure(marker ? `${what} (${marker})` : what, r);
  }
  return r;
}

/** civicnet user add: creates a staff account; throws on failure. */
export async function userAdd(dataDir, login, role, password, { env } = {}) {
  return runCliChecked(
    `civicnet user add --login ${login} --role ${role}`,
    ['user', 'add', '--data', dataDir, '--login', login, '--role', role],
    { input: `${password}\n`, env },
  );
}

async function waitHealthy(url, proc, readStderr) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      const why = proc.signalCode ? `signal ${proc.signalCode}` : `exit code ${proc.exitCode}`;
      throw new Error(`civicnet serve exited during start-up (${why})\n--- stderr ---\n${readStderr()}`);
    }
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000), redirect: 'manual' });
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e.cause?.code || e.message;
    }
    await sleep(50);
  }
  throw new Error(
    `civicnet serve not healthy after ${READY_TIMEOUT_MS} ms (last: ${last})\n--- stderr ---\n${readStderr()}`,
  );
}

/**
 * Start `civicnet serve` on a free loopback port with a fresh data directory.
 * Options: demo (load demo content first, default true), env (extra
 * environment), args (extra serve arguments), dataDir (reuse an existing
 * directory instead of a new one; it is then not removed by stop()).
 * Returns {url, port, dataDir, proc, stderr(), stop()}.
 */
export async function startServer({ demo = true, env = {}, args = [], dataDir: givenDir } = {}) {
  const bin = civicnetBin();
  const dataDir = givenDir ?? (await fsp.mkdtemp(path.join(os.tmpdir(), 'civicnet-test-')));
  const ownDir = !givenDir;
  const stderrPath = path.join(dataDir, 'server.stderr');
  const stdoutPath = path.join(dataDir, 'server.stdout');
  const removeDir = async () => {
    if (ownDir && !process.env.CIVICNET_KEEP_DATA) {
      await fsp.rm(dataDir, { recursive: true, force: true });
    }
  };
  const readStderr = () => {
    try { return fs.readFileSync(stderrPath, 'utf8'); } catch { return ''; }
  };

  let proc;
  try {
    if (demo) await runCliChecked('civicnet demo', ['demo', '--data', dataDir], { env });
    // freePort() closes its probe before the server binds, so another test
    // file may take the port in between; the server then refuses to start
    // ("cannot listen") and we try another port (it never shares one).
    let port, exited, url;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const errFd = fs.openSync(stderrPath, 'a');
      const outFd = fs.openSync(stdoutPath, 'a');
      try {
        proc = spawn(bin, ['serve', '--data', dataDir, '--listen', `127.0.0.1:${port}`, ...args], {
          cwd: REPO_ROOT,
          env: childEnv(env),
          stdio: ['ignore', outFd, errFd],
        });
      } finally {
        fs.closeSync(errFd);
        fs.closeSync(outFd);
      }
      live.add(proc);
      const thisProc = proc;
      exited = new Promise((resolve) => {
        thisProc.once('exit', (code, signal) => {
          live.delete(thisProc);
          resolve({ code, signal });
        });
      });
      proc.on('error', () => {}); // reported through exit / health check
      url = `http://127.0.0.1:${port}`;
      try {
        await waitHealthy(url, proc, readStderr);
        break;
      } catch (e) {
        const taken = proc.exitCode !== null && /cannot listen on 127\.0\.0\.1:\d+: Address already in use/.test(readStderr());
        if (!taken || attempt >= 5) throw e;
        fs.writeFileSync(stderrPath, ''); // the next attempt's stderr alone
      }
    }

    let stopped = null;
    const stop = () => {
      stopped ??= (async () => {
        if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
        let timer;
        const res = await Promise.race([
          exited,
          new Promise((r) => { timer = setTimeout(() => r(null), STOP_TIMEOUT_MS); }),
        ]);
        clearTimeout(timer);
        let problem = null;
        let result = res;
        if (res === null) {
          proc.kill('SIGKILL');
          result = await exited;
          problem = `did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM (killed)`;
        } else if (res.signal) {
          problem = `died from signal ${res.signal}`;
        } else if (res.code !== 0) {
          problem = `exited with code ${res.code}`;
        }
        const text = readStderr();
        const marker = sanitizerReport(text);
        if (marker) problem = `${marker} reported${problem ? `; also ${problem}` : ''}`;
        if (problem) {
          const keep = process.env.CIVICNET_KEEP_DATA ? `\n(data kept in ${dataDir})` : '';
          await removeDir();
          throw new Error(`civicnet serve ${problem}${keep}\n--- server stderr ---\n${text}`);
        }
        await removeDir();
        return result.code;
      })();
      return stopped;
    };

    return { url, port, dataDir, proc, stderr: readStderr, stop };
  } catch (e) {
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('exit', r));
    }
    await removeDir();
    throw e;
  }
}
