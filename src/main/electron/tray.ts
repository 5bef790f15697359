import { Menu, nativeImage, Tray } from 'electron';
import { trayIconPng } from '../core/tray-icon';
import type { TrayItemId, TrayModel } from '../core/tray-model';

export interface AppTray {
  update(model: TrayModel): void;
  destroy(): void;
}

/** The tray: a copy of the pure model into a Menu; rebuilt only when the model changes. */
export function createAppTray(onAction: (id: TrayItemId) => void): AppTray | undefined {
  const mac = process.platform === 'darwin';
  const icon = nativeImage.createFromBuffer(trayIconPng(mac ? 16 : 32, mac));
  if (mac) icon.setTemplateImage(true);
  let tray: Tray;
  try {
    tray = new Tray(icon);
  } catch {
    // Some Linux desktops have no tray; the window then quits on close instead of hiding.
    return undefined;
  }
  tray.on('click', () => onAction('open'));
  let last = '';
  return {
    update(model) {
      const key = JSON.stringify(model);
      if (key === last) return;
      last = key;
      tray.setToolTip(model.tooltip);
      tray.setContextMenu(
        Menu.buildFromTemplate(
          model.items.flatMap((item, index) => [
            ...(index === 1 || item.id === 'quit' ? [{ type: 'separator' as const }] : []),
            { id: item.id, label: item.label, enabled: item.enabled, click: () => onAction(item.id) },
          ]),
        ),
      );
    },
    destroy: () => tray.destroy(),
  };
}
