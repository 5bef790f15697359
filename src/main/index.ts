// Electron composition root. Filled in by the desktop app work; kept thin and type-checked.
import { app } from 'electron';

app.whenReady().then(() => {
  console.log('Ferry main process ready.');
});
