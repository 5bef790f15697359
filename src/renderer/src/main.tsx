import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ferryFromWindow } from './api/ferry';
import { App } from './app';
import type { SocketLike } from './live/receiver-socket';
import { createAppServices } from './state/app-services';
import './styles/index.css';

// Until settings arrive, follow the OS theme from the first frame (no flash of the wrong theme).
document.documentElement.dataset.theme = window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';

// The window's composition root: real timers, animation frames and the browser's WebSocket.
const services = createAppServices({
  ferry: ferryFromWindow(),
  // The browser socket's handlers take MessageEvent; SocketLike only reads `data` from it.
  createSocket: (url, protocols) => new WebSocket(url, protocols) as unknown as SocketLike,
  schedule: (callback) => void window.requestAnimationFrame(callback),
  setTimer: (callback, ms) => window.setTimeout(callback, ms),
  clearTimer: (handle) => window.clearTimeout(handle as number),
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App services={services} />
  </StrictMode>,
);

void services.start();
window.addEventListener('pagehide', () => services.stop());
