import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles.css';
import { pickTransport, servedByHost } from './transport/pickTransport';

createRoot(document.getElementById('root')!).render(<App transport={pickTransport()} canSignOut={servedByHost()} />);
