import { createQueueTotals } from '../../engine/sender/queue-totals';
import type { UploadQueue } from '../../engine/sender/upload-queue';
import type { Settings } from '../../shared/settings';
import type { NotificationPort, TaskbarPort } from './desktop-ports';
import { createNotificationPolicy, type NotificationPolicy } from './notification-policy';
import { createPowerBlockerController, type PowerSaveBlocker } from './power-blocker';
import type { UploadsChanged } from './progress-batcher';
import { trayModel, trayStringsFor, type TrayModel } from './tray-model';

export interface DesktopFeedbackDeps {
  queue: Pick<UploadQueue, 'list' | 'get' | 'onChange'>;
  settings: { get(): Settings };
  locale: string;
  notifications: NotificationPort;
  taskbar: TaskbarPort;
  power: PowerSaveBlocker;
  /** Where the tray model goes (the Electron tray; nothing when the desktop has no tray). */
  showTray(model: TrayModel): void;
  idleMs?: number;
}

export interface DesktopFeedback {
  readonly notificationPolicy: NotificationPolicy;
  /** Takes each batched change: taskbar progress, tray, keep-awake, notifications. */
  onChange(change: UploadsChanged): void;
  /** Redraws the tray from the queue (after a language change, at start). */
  refresh(): void;
  dispose(): void;
}

/** What the desktop shows around the window, fed by the same batches the window gets. */
export function createDesktopFeedback(deps: DesktopFeedbackDeps): DesktopFeedback {
  const notificationPolicy = createNotificationPolicy({ enabled: () => deps.settings.get().notifications });
  const power = createPowerBlockerController(deps.power, { idleMs: deps.idleMs });
  let lastOverall: UploadsChanged['overall'] = {
    files: 0,
    completed: 0,
    failed: 0,
    active: 0,
    size: 0,
    acknowledged: 0,
    bytesPerSecond: 0,
    etaSeconds: null,
  };

  // Kept from the queue's changes: a push must not walk a queue of 100,000 jobs on main's thread.
  const totals = createQueueTotals(deps.queue, () => true);
  function queueState() {
    const { paused, pending } = totals.current();
    return { paused: paused > 0, anyRunning: pending > 0 };
  }

  function refresh() {
    const state = queueState();
    const strings = trayStringsFor(deps.settings.get().language, deps.locale);
    deps.showTray(trayModel({ overall: lastOverall, ...state, strings, locale: deps.locale }));
    return state;
  }

  return {
    notificationPolicy,
    onChange(change) {
      lastOverall = change.overall;
      const { overall } = change;
      power.update({ acknowledged: overall.acknowledged, active: overall.active });
      const state = refresh();
      if (overall.active > 0 && overall.size > 0)
        deps.taskbar.setProgress(overall.acknowledged / overall.size, 'normal');
      else if (state.paused && overall.size > overall.acknowledged)
        deps.taskbar.setProgress(overall.size > 0 ? overall.acknowledged / overall.size : 0, 'paused');
      else deps.taskbar.setProgress(null, 'normal');
      for (const note of notificationPolicy.observe(change)) deps.notifications.show(note);
    },
    refresh: () => void refresh(),
    dispose: () => {
      totals.stop();
      power.dispose();
    },
  };
}
