// The printable monthly report as PDF: the client's /report page rendered by headless Chromium (playwright-core),
// one browser launched on first use and reused, closed with the app. The page is opened with the caller's session,
// so it shows exactly what the caller may see.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium; GRIDLINE has no bundled browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
/** The flags of the project's browser runs, plus SwiftShader for the map's WebGL (Chromium no longer falls back by itself). */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
];
/** localStorage key of the client's session (client/src/state/session-store.ts SESSION_KEY). */
export const SESSION_KEY = 'gridline.session';

/** The report cannot be rendered here (no Chromium, the page failed or took too long): answered 503 with this message. */
export class RendererUnavailable extends Error {
  constructor(message: string) { super(message); this.name = 'RendererUnavailable'; }
}

/** The client path of the report page. */
export function reportPath(q: { month: string; region?: string | null; lang?: string }): string {
  const qs = new URLSearchParams({ month: q.month });
  if (q.region) qs.set('region', q.region);
  qs.set('lang', q.lang ?? 'zh');
  qs.set('print', '1');
  return `/report?${qs}`;
}

export type ReportUser = { id: number; username: string; roles: readonly string[]; department_id: number | null };

export type RendererOptions = { executable_path?: string; timeout_ms?: number; max_parallel?: number };

export class ReportRenderer {
  private browser: Promise<Browser> | null = null;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private closed = false;
  readonly executable_path: string;
  readonly timeout_ms: number;
  readonly max_parallel: number;

  constructor(opts: RendererOptions = {}) {
    this.executable_path = opts.executable_path ?? CHROMIUM_PATH;
    this.timeout_ms = opts.timeout_ms ?? 90_000;
    this.max_parallel = opts.max_parallel ?? 2;
  }

  private launch(): Promise<Browser> {
    if (!existsSync(this.executable_path)) {
      throw new RendererUnavailable(`Chromium is not installed at ${this.executable_path}, so reports cannot be printed to PDF; install it (apt-get install chromium) and try again`);
    }
    this.browser ??= chromium.launch({ executablePath: this.executable_path, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 })
      .then((b) => {
        b.on('disconnected', () => { this.browser = null; });
        return b;
      }, (err: unknown) => {
        this.browser = null;
        throw new RendererUnavailable(`Chromium at ${this.executable_path} did not start (${err instanceof Error ? err.message.split('\n')[0] : err}); check that it runs and try again`);
      });
    return this.browser;
  }

  private async slot(): Promise<() => void> {
    if (this.running >= this.max_parallel) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    return () => { this.running--; this.waiting.shift()?.(); };
  }

  /**
   * Opens `url` (the report page) signed in as `user` with `token`, waits until the page says it is ready (data
   * loaded, map idle) and prints it to an A4 PDF with page numbers.
   */
  async render(p: { url: string; token: string; user: ReportUser }): Promise<Buffer> {
    if (this.closed) throw new RendererUnavailable('The server is shutting down; try again when it is back');
    const release = await this.slot();
    try {
      const browser = await this.launch();
      // A fresh context per render: its own localStorage (the session below), no service worker (nothing to keep offline).
      const context = await browser.newContext({ viewport: { width: 794, height: 1123 }, deviceScaleFactor: 2, serviceWorkers: 'block' });
      try {
        await context.addInitScript(([key, value]) => { window.localStorage.setItem(key, value); },
          [SESSION_KEY, JSON.stringify({ token: p.token, user: p.user })] as const);
        const page = await context.newPage();
        page.setDefaultTimeout(this.timeout_ms);
        await page.goto(p.url, { waitUntil: 'load' });
        try {
          await page.waitForSelector('html[data-report-state="ready"], html[data-report-state="error"]', { timeout: this.timeout_ms, state: 'attached' });
        } catch {
          throw new RendererUnavailable(`The report page did not finish within ${Math.round(this.timeout_ms / 1000)} s; try again, or a shorter region`);
        }
        const state = await page.evaluate(() => ({
          state: document.documentElement.dataset.reportState, error: document.documentElement.dataset.reportError ?? null,
        }));
        if (state.state === 'error') throw new RendererUnavailable(`The report page could not load its data: ${state.error ?? 'unknown error'}`);
        await page.emulateMedia({ media: 'print' });
        const pdf = await page.pdf({
          format: 'A4', printBackground: true, preferCSSPageSize: true,
          displayHeaderFooter: true,
          headerTemplate: '<span></span>',
          footerTemplate: '<div style="font-size:8px;width:100%;text-align:center;color:#666;font-family:sans-serif"><span class="pageNumber"></span> / <span class="totalPages"></span></div>',
          margin: { top: '12mm', bottom: '14mm', left: '12mm', right: '12mm' },
        });
        return Buffer.from(pdf);
      } finally {
        await context.close().catch(() => {});
      }
    } finally {
      release();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const b = this.browser;
    this.browser = null;
    if (b) await (await b.catch(() => null))?.close().catch(() => {});
  }
}
