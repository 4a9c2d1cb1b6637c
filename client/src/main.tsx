// Boot: mount the map page. The page loads its own configuration (state/config-store.ts).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(<StrictMode><App /></StrictMode>);

// The service worker (client/public/sw.js): the app shell, reference data and visited map tiles offline (issue 9).
// Browsers allow it on https and on localhost only; the dev server (vite) runs without it. (Not `import.meta.env.PROD`:
// a build started from the test runner inherits NODE_ENV=test and is not a "production" build.)
if (!import.meta.hot && 'serviceWorker' in navigator && window.isSecureContext) { // not under vite's dev server (HMR)
  window.addEventListener('load', () => { navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => { /* the app works online without it */ }); });
}
