// E-mail channel: a minimal SMTP client on node:net / node:tls (RFC 5321): EHLO, STARTTLS when the server offers it
// (or TLS from the start with smtps://), AUTH PLAIN or LOGIN, MAIL FROM, RCPT TO, DATA (dot-stuffed), QUIT.
// One connection per message: notifications are few, and a broken connection then costs one message's retry.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { emailData, renderMessage, type SmtpSettings } from '../../domain/notify.js';
import type { Channel } from './channels.js';

type Reply = { code: number; lines: string[] };

/** Reads SMTP replies (multi-line: "250-…" until "250 …") from a socket, one at a time. */
class ReplyReader {
  private buf = '';
  private replies: Reply[] = [];
  private waiting: { resolve(r: Reply): void; reject(e: Error): void } | null = null;
  private partial: string[] = [];
  private failed: Error | null = null;

  constructor(private socket: Socket | TLSSocket) { this.attach(socket); }

  attach(socket: Socket | TLSSocket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.feed(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('the SMTP server closed the connection')));
  }

  detach() { this.socket.removeAllListeners('data'); this.socket.removeAllListeners('error'); this.socket.removeAllListeners('close'); }

  private feed(chunk: string) {
    this.buf += chunk;
    let i: number;
    while ((i = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, i).replace(/\r$/, '');
      this.buf = this.buf.slice(i + 1);
      const m = /^(\d{3})([ -])(.*)$/.exec(line);
      if (!m) { this.fail(new Error(`not an SMTP reply: ${line.slice(0, 100)}`)); return; }
      this.partial.push(m[3]);
      if (m[2] === ' ') {
        const r = { code: Number(m[1]), lines: this.partial };
        this.partial = [];
        if (this.waiting) { const w = this.waiting; this.waiting = null; w.resolve(r); } else this.replies.push(r);
      }
    }
  }

  private fail(e: Error) {
    if (!this.failed) this.failed = e;
    if (this.waiting) { const w = this.waiting; this.waiting = null; w.reject(e); }
  }

  next(timeout_ms: number): Promise<Reply> {
    const r = this.replies.shift();
    if (r) return Promise.resolve(r);
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => { this.waiting = null; reject(new Error('the SMTP server did not answer in time (timeout)')); }, timeout_ms);
      this.waiting = { resolve: (x) => { clearTimeout(t); resolve(x); }, reject: (e) => { clearTimeout(t); reject(e); } };
    });
  }
}

export type SmtpMessage = { to: string; subject: string; text: string; delivery_id: string };

/**
 * Sends one message. Throws an Error naming the step and the server's reply when the server refuses.
 * @example await sendMail({ secure: false, host: '127.0.0.1', port: 2525, user: null, pass: null, from: 'gridline@example.org' }, { to: 'crew@example.org', subject: 'Hi', text: 'Hello', delivery_id: 'x' })
 */
export async function sendMail(s: SmtpSettings, m: SmtpMessage, o: { timeout_ms: number; now?: Date; tls_reject_unauthorized?: boolean } = { timeout_ms: 30_000 }): Promise<void> {
  const opened = await new Promise<Socket | TLSSocket>((resolve, reject) => {
    const sock = s.secure
      ? tlsConnect({ host: s.host, port: s.port, servername: s.host, rejectUnauthorized: o.tls_reject_unauthorized ?? true })
      : netConnect({ host: s.host, port: s.port });
    const t = setTimeout(() => { sock.destroy(); reject(new Error(`no connection to ${s.host}:${s.port} in time (timeout)`)); }, o.timeout_ms);
    sock.once(s.secure ? 'secureConnect' : 'connect', () => { clearTimeout(t); resolve(sock); });
    sock.once('error', (e: NodeJS.ErrnoException) => { clearTimeout(t); reject(new Error(`no connection to ${s.host}:${s.port} (${e.code ?? e.message})`)); });
  });
  let socket: Socket | TLSSocket = opened;
  const reader = new ReplyReader(socket);
  const expect = async (step: string, ok: number[]) => {
    const r = await reader.next(o.timeout_ms);
    if (!ok.includes(r.code)) throw new Error(`SMTP ${step} refused: ${r.code} ${r.lines.join(' ').slice(0, 300)}`);
    return r;
  };
  const send = (line: string) => socket.write(`${line}\r\n`);
  const name = hostname().replace(/[^A-Za-z0-9.-]/g, '') || 'gridline';
  try {
    await expect('greeting', [220]);
    send(`EHLO ${name}`);
    let ehlo = await expect('EHLO', [250]);
    const offers = (r: Reply, what: string) => r.lines.some((l) => l.toUpperCase().split(/\s+/)[0] === what);
    if (!s.secure && offers(ehlo, 'STARTTLS')) {
      send('STARTTLS');
      await expect('STARTTLS', [220]);
      reader.detach();
      socket = await new Promise<TLSSocket>((resolve, reject) => {
        const t = tlsConnect({ socket: socket as Socket, servername: s.host, rejectUnauthorized: o.tls_reject_unauthorized ?? true }, () => resolve(t));
        t.once('error', reject);
      });
      reader.attach(socket);
      send(`EHLO ${name}`);
      ehlo = await expect('EHLO after STARTTLS', [250]);
    }
    if (s.user) {
      const auth = ehlo.lines.find((l) => /^AUTH[ =]/i.test(l))?.toUpperCase().split(/[ =]+/).slice(1) ?? [];
      if (auth.includes('PLAIN') || !auth.includes('LOGIN')) {
        send(`AUTH PLAIN ${Buffer.from(`\0${s.user}\0${s.pass ?? ''}`, 'utf8').toString('base64')}`);
        await expect('AUTH PLAIN', [235]);
      } else {
        send('AUTH LOGIN');
        await expect('AUTH LOGIN', [334]);
        send(Buffer.from(s.user, 'utf8').toString('base64'));
        await expect('AUTH LOGIN user', [334]);
        send(Buffer.from(s.pass ?? '', 'utf8').toString('base64'));
        await expect('AUTH LOGIN password', [235]);
      }
    }
    const eight = offers(ehlo, '8BITMIME') ? ' BODY=8BITMIME' : '';
    send(`MAIL FROM:<${s.from}>${eight}`);
    await expect('MAIL FROM', [250]);
    send(`RCPT TO:<${m.to}>`);
    await expect('RCPT TO', [250, 251]);
    send('DATA');
    await expect('DATA', [354]);
    const data = emailData({ from: s.from, to: m.to, subject: m.subject, text: m.text, date: o.now ?? new Date(), message_id: `${randomUUID()}@${s.from.split('@')[1]}`, delivery_id: m.delivery_id });
    socket.write(`${data}.\r\n`);
    await expect('message', [250]);
    send('QUIT');
    await reader.next(o.timeout_ms).catch(() => undefined); // 221; a server that just closes is fine too
  } finally {
    reader.detach();
    socket.on('error', () => undefined);
    socket.end();
    socket.destroy();
  }
}

export function smtpChannel(s: SmtpSettings, o: { timeout_ms: number }): Channel {
  return {
    name: 'email',
    async deliver(d) {
      const { subject, text } = renderMessage(d.template, d.params, d.language);
      await sendMail(s, { to: d.target, subject, text, delivery_id: d.dedupe_key }, { timeout_ms: o.timeout_ms });
    },
  };
}
