import { Button, FluentProvider, Tab, TabList, Text, Tooltip, webLightTheme } from '@fluentui/react-components';
import {
  DataTrendingRegular,
  DocumentBulletListRegular,
  DocumentTextRegular,
  NavigationRegular,
  PlugConnectedRegular,
  ServerRegular,
  SettingsRegular,
  SignOutRegular,
} from '@fluentui/react-icons';
import { lazy, Suspense, useEffect, useMemo, useState, type ComponentType, type JSX } from 'react';
import type { Transport } from '../../shared/contract';
import { ClientConfigScreen } from './screens/ClientConfigScreen';
import { DebugLogScreen } from './screens/DebugLogScreen';
import { LicenseScreen } from './screens/LicenseScreen';
import { StatusScreen } from './screens/StatusScreen';
import { SettingsScreen } from './screens/SettingsScreen';
import { DiskBanner } from './components/DiskBanner';
import { Loading } from './components/feedback';
import { StatusProvider } from './useServerStatus';
import { TransportProvider } from './useTransport';

// The charting library is most of the bundle: load it with the Usage screen only.
const UsageScreen = lazy(() => import('./screens/UsageScreen').then((m) => ({ default: m.UsageScreen })));

export const routes: { path: string; label: string; screen: ComponentType; icon: JSX.Element }[] = [
  { path: 'status', label: 'Server status', screen: StatusScreen, icon: <ServerRegular /> },
  { path: 'licenses', label: 'License files', screen: LicenseScreen, icon: <DocumentTextRegular /> },
  { path: 'log', label: 'Debug log', screen: DebugLogScreen, icon: <DocumentBulletListRegular /> },
  { path: 'usage', label: 'Usage', screen: UsageScreen, icon: <DataTrendingRegular /> },
  { path: 'client', label: 'Client/Server Configuration', screen: ClientConfigScreen, icon: <PlugConnectedRegular /> },
  { path: 'settings', label: 'Settings', screen: SettingsScreen, icon: <SettingsRegular /> },
];

/** Below this width the sidebar starts as a rail of icons, leaving the window to the screen. */
const NARROW = '(max-width: 1023px)';

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

/** Collapsed in a narrow window, until the reader says otherwise with the menu button. */
function useCollapsedNav(): [boolean, () => void] {
  const query = useMemo(() => (typeof window.matchMedia === 'function' ? window.matchMedia(NARROW) : null), []);
  const [narrow, setNarrow] = useState(() => query?.matches ?? false);
  const [chosen, setChosen] = useState<boolean | null>(null);
  useEffect(() => {
    if (!query) return;
    const onChange = (e: MediaQueryListEvent) => {
      setNarrow(e.matches);
      setChosen(null);
    };
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, [query]);
  const collapsed = chosen ?? narrow;
  return [collapsed, () => setChosen(!collapsed)];
}

/** `canSignOut`: served by the headless host to a signed-in browser, which may end its session. */
export function App({ transport, canSignOut = false }: { transport: Transport; canSignOut?: boolean }) {
  const [path, navigate] = useHashRoute();
  const [collapsed, toggle] = useCollapsedNav();
  const Screen = routes.find((r) => r.path === path)!.screen;
  return (
    <FluentProvider theme={webLightTheme} className={collapsed ? 'app nav-collapsed' : 'app'}>
      <TransportProvider transport={transport}>
        <StatusProvider>
          <nav className="nav" aria-label="Screens">
            <div className="nav-inner">
              <div className="brand">
                <Button
                  appearance="subtle"
                  icon={<NavigationRegular />}
                  aria-label={collapsed ? 'Show screen names' : 'Hide screen names'}
                  aria-expanded={!collapsed}
                  onClick={toggle}
                />
                {!collapsed && (
                  <Text weight="semibold" size={400}>
                    Triad License Server
                  </Text>
                )}
              </div>
              <TabList vertical selectedValue={path} onTabSelect={(_e, d) => navigate(String(d.value))}>
                {routes.map((r) =>
                  collapsed ? (
                    <Tooltip key={r.path} content={r.label} relationship="label" positioning="after">
                      <Tab value={r.path} icon={r.icon} />
                    </Tooltip>
                  ) : (
                    <Tab key={r.path} value={r.path} icon={r.icon}>
                      {r.label}
                    </Tab>
                  ),
                )}
              </TabList>
              {canSignOut && (
                // a plain form: the host ends the session and answers with its sign-in page
                <form method="post" action="/logout" className="sign-out">
                  <Button type="submit" appearance="subtle" size="small" icon={<SignOutRegular />} aria-label="Sign out">
                    {!collapsed && 'Sign out'}
                  </Button>
                </form>
              )}
            </div>
          </nav>
          <main className="content">
            <DiskBanner />
            <Suspense fallback={<Loading label="Loading the screen…" />}>
              <Screen key={path} />
            </Suspense>
          </main>
        </StatusProvider>
      </TransportProvider>
    </FluentProvider>
  );
}
