// raw.mjs — send exact bytes to the server and read what comes back, for
// tests of malformed requests, header injection, smuggling, limits.
//
//   const r = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
//   r.status     // 200; 0 when the connection closed (or timed out) with no response
//   r.headers    // lower-cased names; repeated headers joined with ", "
//   r.headerList // [[name, value], …] in order, names as sent
//   r.body       // decoded (chunked / Content-Length) body as UTF-8 text
//   r.raw        // everything received, as latin1 text (byte-exact)
//   r.responses  // every final response parsed, for pipelined requests
//   r.interim    // 1xx responses
//   r.closed     // the server closed the connection
//   r.timedOut   // gave up waiting
//   r.error      // socket error code (e.g. ECONNRESET), if any
//
// Options: timeout (ms, default 5000), host (default 127.0.0.1),
// responses (how many final responses to wait for, default 1),
// head (responses carry no body, as for HEAD; default: request starts with
// "HEAD "), end (half-close after sending, default false),
// chunks + delay (send the bytes as several writes, delay ms apart).
import net from 'node:net';

const CRLFCRLF = Buffer.from('\r\n\r\n');

function parseHead(text) {
  const lines = text.split('\r\n');
  const statusLine = lines.shift();
  const m = /^HTTP\/(\d\.\d)\s+(\d{3})(?:\s(.*))?$/.exec(statusLine);
  const headerList = [];
  const headers = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i);
    const value = line.slice(i + 1).trim();
    headerList.push([name, value]);
    const k = name.toLowerCase();
    headers[k] = k in headers ? `${headers[k]}, ${value}` : value;
  }
  return {
    statusLine,
    version: m ? m[1] : null,
    status: m ? Number(m[2]) : -1, // -1: not an HTTP status line
    reason: m ? (m[3] ?? '') : '',
    headers,
    headerList,
  };
}

// Decode a chunked body starting at buf[pos]; returns {body, end} or null when
// incomplete.
function parseChunked(buf, pos) {
  const parts = [];
  for (;;) {
    const eol = buf.indexOf('\r\n', pos);
    if (eol < 0) return null;
    const size = parseInt(buf.subarray(pos, eol).toString('latin1').split(';')[0].trim(), 16);
    if (Number.isNaN(size)) return { body: Buffer.concat(parts), end: buf.length, malformed: true };
    pos = eol + 2;
    if (size === 0) {
      // trailers end with an empty line
      const end = buf.indexOf(CRLFCRLF, pos - 2);
      if (end < 0) return null;
      return { body: Buffer.concat(parts), end: end + 4 };
    }
    if (buf.length < pos + size + 2) return null;
    parts.push(buf.subarray(pos, pos + size));
    pos += size + 2;
  }
}

// Parse as many responses as are complete in buf. closed: no more data will
// come, so a body delimited by close is complete.
function parseResponses(buf, { head, closed }) {
  const out = [];
  let pos = 0;
  while (pos < buf.length) {
    const hEnd = buf.indexOf(CRLFCRLF, pos);
    if (hEnd < 0) {
      if (closed) out.push({ ...parseHead(buf.subarray(pos).toString('latin1')), bodyBuf: Buffer.alloc(0), incomplete: true });
      break;
    }
    const h = parseHead(buf.subarray(pos, hEnd).toString('latin1'));
    let bStart = hEnd + 4;
    const noBody = head || (h.status >= 100 && h.status < 200) || h.status === 204 || h.status === 304;
    let bodyBuf;
    let next;
    const te = (h.headers['transfer-encoding'] || '').toLowerCase();
    if (noBody) {
      bodyBuf = Buffer.alloc(0);
      next = bStart;
    } else if (te.includes('chunked')) {
      const c = parseChunked(buf, bStart);
      if (!c) {
        if (closed) out.push({ ...h, bodyBuf: buf.subarray(bStart), incomplete: true });
        break;
      }
      bodyBuf = c.body;
      next = c.end;
    } else if (h.headers['content-length'] !== undefined) {
      const n = Number(h.headers['content-length'].split(',')[0]);
      if (buf.length < bStart + n) {
        if (closed) out.push({ ...h, bodyBuf: buf.subarray(bStart), incomplete: true });
        break;
      }
      bodyBuf = buf.subarray(bStart, bStart + n);
      next = bStart + n;
    } else {
      // delimited by connection close
      if (!closed) break;
      bodyBuf = buf.subarray(bStart);
      next = buf.length;
    }
    out.push({ ...h, bodyBuf });
    pos = next;
  }
  return out;
}

export function rawRequest(port, data, opts = {}) {
  const {
    timeout = 5000,
    host = '127.0.0.1',
    responses: want = 1,
    end = false,
    chunks = null,
    delay = 0,
  } = opts;
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(String(data), 'utf8');
  const head = opts.head ?? /^HEAD /.test(bytes.subarray(0, 5).toString('latin1'));

  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    const received = [];
    let done = false;
    let timedOut = false;
    let closed = false;
    let error = null;

    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const buf = Buffer.concat(received);
      const all = parseResponses(buf, { head, closed: true });
      const interim = all.filter((r) => r.status >= 100 && r.status < 200);
      const finals = all.filter((r) => !(r.status >= 100 && r.status < 200)).map((r) => ({
        status: r.status,
        reason: r.reason,
        version: r.version,
        statusLine: r.statusLine,
        headers: r.headers,
        headerList: r.headerList,
        body: r.bodyBuf.toString('utf8'),
        bodyBytes: r.bodyBuf,
        incomplete: !!r.incomplete,
      }));
      const first = finals[0] ?? { status: 0, headers: {}, headerList: [], body: '', bodyBytes: Buffer.alloc(0) };
      resolve({
        ...first,
        raw: buf.toString('latin1'),
        rawBytes: buf,
        responses: finals,
        interim,
        closed,
        timedOut,
        error,
      });
    };

    const check = () => {
      const buf = Buffer.concat(received);
      const rs = parseResponses(buf, { head, closed: false }).filter((r) => !(r.status >= 100 && r.status < 200));
      if (rs.length >= want) finish();
    };

    const timer = setTimeout(() => {
      timedOut = true;
      finish();
    }, timeout);

    sock.on('data', (d) => {
      received.push(d);
      check();
    });
    sock.on('end', () => {
      closed = true;
      finish();
    });
    sock.on('close', () => {
      closed = true;
      finish();
    });
    sock.on('error', (e) => {
      error = e.code || e.message;
      closed = true;
      finish();
    });
    sock.on('connect', async () => {
      try {
        if (chunks && chunks > 1) {
          const step = Math.ceil(bytes.length / chunks);
          for (let i = 0; i < bytes.length && !done; i += step) {
            sock.write(bytes.subarray(i, i + step));
            if (delay) await new Promise((r) => setTimeout(r, delay));
          }
        } else {
          sock.write(bytes);
        }
        if (end && !done) sock.end();
      } catch (e) {
        error = e.code || e.message;
      }
    });
  });
}
