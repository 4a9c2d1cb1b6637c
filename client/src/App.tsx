// The shell: header, then the screen the path and the user's roles call for (state/route-store.ts). Signed in, the
// session is checked, the reference lists load and the one live stream (/api/live) runs.
import { useEffect } from 'react';
import { Header } from './components/Header.js';
import { DistrictScreen } from './screens/district/DistrictScreen.js';
import { LoginScreen } from './screens/login/LoginScreen.js';
import { WallScreen } from './screens/wall/WallScreen.js';
import { InspectorScreen } from './screens/inspector/InspectorScreen.js';
import { CrewScreen } from './screens/crew/CrewScreen.js';
import { LeaderScreen } from './screens/leader/LeaderScreen.js';
import { SearchScreen } from './screens/search/SearchScreen.js';
import { ReportScreen } from './screens/report/ReportScreen.js';
import { IntakeScreen } from './screens/intake/IntakeScreen.js';
import { AdminScreen } from './screens/admin/AdminScreen.js';
import { SupervisionScreen } from './screens/supervision/SupervisionScreen.js';
import { PublicReportScreen } from './screens/public/PublicReportScreen.js';
import { PublicTrackScreen } from './screens/public/PublicTrackScreen.js';
import { TransparencyScreen } from './screens/transparency/TransparencyScreen.js';
import { selectLoadConfig, useConfig } from './state/config-store.js';
import { PATHS, screenFor, selectNavigate, selectPath, useRoute } from './state/route-store.js';
import { selectToken, selectUser, useSession } from './state/session-store.js';
import { useReference } from './state/reference-store.js';
import { useCases } from './state/cases-store.js';
import { useCaseDetail } from './state/case-detail-store.js';
import { connectLive } from './state/live-connection.js';

export function App() {
  const load = useConfig(selectLoadConfig);
  const token = useSession(selectToken);
  const user = useSession(selectUser);
  const path = useRoute(selectPath);
  const navigate = useRoute(selectNavigate);
  const screen = screenFor(path, user);

  // The configuration names the district to show, which is the user's own for a user kept to one (issue 12): asked
  // for at start and again whenever the session changes (sign-in, sign-out, another tab, an ended session).
  useEffect(() => { void load(); }, [token, load]);

  // A session: check it, load the reference lists, listen. Ending it forgets every case it could see.
  useEffect(() => {
    if (!token) return;
    void useSession.getState().verify();
    void useReference.getState().load();
    const disconnect = connectLive(token);
    return () => {
      disconnect();
      useCases.getState().clear();
      useCaseDetail.getState().close();
    };
  }, [token]);

  // The address bar names the screen shown: `/` becomes the user's home, a screen the user may not open (or a lapsed
  // session) the login screen or their home.
  useEffect(() => {
    if (PATHS[screen] !== path) navigate(PATHS[screen], true);
  }, [screen, path, navigate]);

  return (
    <div className={`app screen-${screen}`}>
      {screen === 'public_report' || screen === 'public_track' || screen === 'public_transparency' ? null : <Header />}
      {screen === 'district' ? <DistrictScreen /> : null}
      {screen === 'login' ? <LoginScreen /> : null}
      {screen === 'wall' ? <WallScreen /> : null}
      {screen === 'inspector' ? <InspectorScreen /> : null}
      {screen === 'crew' ? <CrewScreen /> : null}
      {screen === 'leader' ? <LeaderScreen /> : null}
      {screen === 'search' ? <SearchScreen /> : null}
      {screen === 'report' ? <ReportScreen /> : null}
      {screen === 'intake' ? <IntakeScreen /> : null}
      {screen === 'admin' ? <AdminScreen /> : null}
      {screen === 'supervision' ? <SupervisionScreen /> : null}
      {screen === 'public_report' ? <PublicReportScreen /> : null}
      {screen === 'public_track' ? <PublicTrackScreen /> : null}
      {screen === 'public_transparency' ? <TransparencyScreen /> : null}
    </div>
  );
}
