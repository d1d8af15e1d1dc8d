import { Button, FluentProvider, Tab, TabList, Text, webLightTheme } from '@fluentui/react-components';
import { lazy, Suspense, useEffect, useState, type ComponentType } from 'react';
import type { Transport } from '../../shared/contract';
import { ClientConfigScreen } from './screens/ClientConfigScreen';
import { DebugLogScreen } from './screens/DebugLogScreen';
import { LicenseScreen } from './screens/LicenseScreen';
import { StatusScreen } from './screens/StatusScreen';
import { SettingsScreen } from './screens/SettingsScreen';
import { DiskBanner } from './components/DiskBanner';
import { Loading } from './components/feedback';
import { TransportProvider } from './useTransport';

// The charting library is most of the bundle: load it with the Usage screen only.
const UsageScreen = lazy(() => import('./screens/UsageScreen').then((m) => ({ default: m.UsageScreen })));

export const routes: { path: string; label: string; screen: ComponentType }[] = [
  { path: 'status', label: 'Server status', screen: StatusScreen },
  { path: 'licenses', label: 'License files', screen: LicenseScreen },
  { path: 'log', label: 'Debug log', screen: DebugLogScreen },
  { path: 'usage', label: 'Usage', screen: UsageScreen },
  { path: 'client', label: 'Client/Server Configuration', screen: ClientConfigScreen },
  { path: 'settings', label: 'Settings', screen: SettingsScreen },
];

function currentPath(): string {
  const path = window.location.hash.replace(/^#\/?/, '');
  return routes.some((r) => r.path === path) ? path : 'status';
}

/** Hash routing: works from file:// in Electron and from the host alike, with no server routes. */
function useHashRoute(): [string, (path: string) => void] {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const onChange = () => setPath(currentPath());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return [path, (next) => (window.location.hash = `#/${next}`)];
}

/** `canSignOut`: served by the headless host to a signed-in browser, which may end its session. */
export function App({ transport, canSignOut = false }: { transport: Transport; canSignOut?: boolean }) {
  const [path, navigate] = useHashRoute();
  const Screen = routes.find((r) => r.path === path)!.screen;
  return (
    <FluentProvider theme={webLightTheme} className="app">
      <TransportProvider transport={transport}>
        <nav className="nav" aria-label="Screens">
          <Text weight="semibold" size={400} className="brand">
            Triad License Server
          </Text>
          <TabList vertical selectedValue={path} onTabSelect={(_e, d) => navigate(String(d.value))}>
            {routes.map((r) => (
              <Tab key={r.path} value={r.path}>
                {r.label}
              </Tab>
            ))}
          </TabList>
          {canSignOut && (
            // a plain form: the host ends the session and answers with its sign-in page
            <form method="post" action="/logout" className="sign-out">
              <Button type="submit" appearance="subtle" size="small">
                Sign out
              </Button>
            </form>
          )}
        </nav>
        <main className="content">
          <DiskBanner />
          <Suspense fallback={<Loading label="Loading the screen…" />}>
            <Screen key={path} />
          </Suspense>
        </main>
      </TransportProvider>
    </FluentProvider>
  );
}
