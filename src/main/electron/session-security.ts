import type { Session } from 'electron';

/**
 * The window needs no camera, microphone, notifications API, geolocation, USB or anything else a
 * site can ask for: every permission request and check is refused.
 */
export function lockDownSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  // Nothing is downloaded through the window; a link to a file must not write to disk.
  session.on('will-download', (event) => event.preventDefault());
}
