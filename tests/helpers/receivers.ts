// Local receivers for the notification tests (issue 11): a tiny SMTP server that records the conversation, and an
// HTTP receiver (webhook or SMS gateway) whose answers a test scripts. Both listen on 127.0.0.1, on a free port.
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';

export type SmtpRecord = { lines: string[]; messages: { from: string; to: string[]; data: string }[] };

/** An SMTP server speaking just enough: EHLO (AUTH PLAIN LOGIN, 8BITMIME), AUTH, MAIL, RCPT, DATA, QUIT. */
export async function startSmtpServer(o: { auth?: string[]; refuseRcpt?: boolean; user?: string; pass?: string } = {}): Promise<{ port: number; record: SmtpRecord; close(): Promise<void> }> {
  const record: SmtpRecord = { lines: [], messages: [] };
  const sockets = new Set<Socket>();
  const server: NetServer = createNetServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.setEncoding('utf8');
    let buf = '';
    let mode: 'cmd' | 'data' | 'login_user' | 'login_pass' = 'cmd';
    let from = ''; let to: string[] = []; let data: string[] = []; let loginUser = '';
    const say = (s: string) => sock.write(`${s}\r\n`);
    const authOk = (user: string, pass: string) => (o.user === undefined || (user === o.user && pass === o.pass));
    say('220 test.local ESMTP ready');
    sock.on('data', (chunk: string) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (mode === 'data') {
          if (line === '.') {
            record.messages.push({ from, to, data: data.join('\r\n') });
            data = []; mode = 'cmd'; say('250 2.0.0 queued');
          } else data.push(line);
          continue;
        }
        record.lines.push(line);
        if (mode === 'login_user') { loginUser = Buffer.from(line, 'base64').toString(); mode = 'login_pass'; say('334 UGFzc3dvcmQ6'); continue; }
        if (mode === 'login_pass') { mode = 'cmd'; say(authOk(loginUser, Buffer.from(line, 'base64').toString()) ? '235 ok' : '535 bad credentials'); continue; }
        const up = line.toUpperCase();
        if (up.startsWith('EHLO')) { say('250-test.local'); if (o.auth?.length) say(`250-AUTH ${o.auth.join(' ')}`); say('250 8BITMIME'); }
        else if (up.startsWith('AUTH PLAIN ')) {
          const [, user, pass] = Buffer.from(line.slice(11), 'base64').toString().split('\0');
          say(authOk(user, pass) ? '235 ok' : '535 bad credentials');
        } else if (up === 'AUTH LOGIN') { mode = 'login_user'; say('334 VXNlcm5hbWU6'); }
        else if (up.startsWith('MAIL FROM:')) { from = /<([^>]*)>/.exec(line)?.[1] ?? ''; to = []; say('250 ok'); }
        else if (up.startsWith('RCPT TO:')) { if (o.refuseRcpt) say('550 5.1.1 no such user'); else { to.push(/<([^>]*)>/.exec(line)?.[1] ?? ''); say('250 ok'); } }
        else if (up === 'DATA') { mode = 'data'; say('354 go ahead'); }
        else if (up === 'QUIT') { say('221 bye'); sock.end(); }
        else say('502 not implemented');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { port, record, close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }) };
}

export type HttpHit = { method: string; url: string; headers: IncomingMessage['headers']; body: string };

/**
 * An HTTP receiver: records each request, answers with `answer(hit, n)` (n: this request's number, from 1),
 * 200 by default. listen(port) may reuse a port a test closed before ("down, then up").
 */
export function httpReceiver(answer: (hit: HttpHit, n: number) => number = () => 200) {
  const hits: HttpHit[] = [];
  let server: HttpServer | null = null;
  const start = async (port = 0) => {
    server = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const hit = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        hits.push(hit);
        res.statusCode = answer(hit, hits.length);
        res.end(res.statusCode < 300 ? 'ok' : 'nope');
      });
    });
    server.keepAliveTimeout = 1;
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', r));
    return (server.address() as { port: number }).port;
  };
  const stop = () => new Promise<void>((r) => { if (!server) return r(); server.closeAllConnections(); server.close(() => r()); server = null; });
  return { hits, start, stop };
}

/** A port nothing listens on (one the OS gave out a moment ago, closed again). */
export async function closedPort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
