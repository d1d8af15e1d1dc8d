import { render, type RenderResult } from '@testing-library/react';
import type { ReactNode } from 'react';
import { StatusProvider } from '../../src/renderer/src/useServerStatus';
import { TransportProvider } from '../../src/renderer/src/useTransport';
import type { createFakeTransport } from './fakeTransport';

/** A screen as the app shows it: with the transport and the app's one live status. */
export function renderScreen(fake: ReturnType<typeof createFakeTransport>, screen: ReactNode): RenderResult {
  return render(
    <TransportProvider transport={fake.transport}>
      <StatusProvider>{screen}</StatusProvider>
    </TransportProvider>,
  );
}
