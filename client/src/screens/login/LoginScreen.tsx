// Sign in (POST /api/auth/login). After signing in the user lands on the home of their role (state/route-store.ts).
import { useState, type FormEvent } from 'react';
import { homeOf, PATHS, selectNavigate, useRoute } from '../../state/route-store.js';
import { selectExpired, selectLogin, selectSessionBusy, selectSessionError, useSession } from '../../state/session-store.js';
import { useT } from '../../components/Bilingual.js';

/** The demo users of docs/api.md (password `demo`, demo data only). */
const DEMO = ['dispatcher1', 'operator1', 'shiftlead1', 'leader1', 'inspector1', 'inspector2', 'crew1', 'admin'];

export function LoginScreen() {
  const login = useSession(selectLogin);
  const busy = useSession(selectSessionBusy);
  const error = useSession(selectSessionError);
  const expired = useSession(selectExpired);
  const navigate = useRoute(selectNavigate);
  const { t } = useT();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!username.trim() || !password) return;
    void login(username, password).then((ok) => { if (ok) navigate(PATHS[homeOf(useSession.getState().user)], true); });
  };

  return (
    <main className="login-screen">
      <form className="login-card" onSubmit={submit} data-testid="login-form">
        <div className="login-mark" aria-hidden="true"><i /><i /><i /><i /></div>
        <h1>{t('sign_in_title')}</h1>
        <p className="login-sub">{t('sign_in_sub')}</p>
        {expired && !error ? <div className="panel-note warning">{t('session_expired')}</div> : null}
        {error ? <div className="panel-note error" role="alert">{error === 'bad_credentials' ? t('bad_credentials') : error}</div> : null}
        <label>
          <span>{t('username')}</span>
          <input name="username" autoComplete="username" autoFocus value={username} onChange={(e) => setUsername(e.target.value)} data-testid="login-username" />
        </label>
        <label>
          <span>{t('password')}</span>
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} data-testid="login-password" />
        </label>
        <button type="submit" className="action-btn tone-primary login-submit" disabled={busy || !username.trim() || !password} data-testid="login-submit">
          {busy ? <><span className="spinner" /> {t('signing_in')}</> : t('sign_in')}
        </button>
        <details className="login-demo">
          <summary>{t('demo_accounts')}</summary>
          <div className="demo-users">
            {DEMO.map((u) => (
              <button key={u} type="button" className="chip" onClick={() => { setUsername(u); setPassword('demo'); }}>{u}</button>
            ))}
          </div>
        </details>
        <a className="login-public" href={PATHS.district} onClick={(e) => { e.preventDefault(); navigate(PATHS.district); }}>{t('public_map')}</a>
      </form>
    </main>
  );
}
