import type { InvokeChannel, InvokeRequest, InvokeResponse, IpcResult, PushChannel, PushPayload } from './contract';
import { invokeChannels, pushChannels } from './contract';

/** How a bridge reaches main: Electron's ipcRenderer in the preload, a test binding in the browser tests. */
export interface IpcTransport {
  invoke(channel: InvokeChannel, payload: unknown): Promise<IpcResult<unknown>>;
  on(channel: PushChannel, listener: (payload: unknown) => void): () => void;
}

/** camelCase method name of a channel: `uploads:add-dropped` → `uploadsAddDropped`. */
type MethodName<C extends string> = C extends `${infer A}:${infer B}` ? `${A}${Capitalize<CamelCase<B>>}` : never;
type CamelCase<S extends string> = S extends `${infer A}-${infer B}` ? `${A}${Capitalize<CamelCase<B>>}` : S;

export type InvokeApi = {
  [C in InvokeChannel as MethodName<C>]: (payload?: InvokeRequest<C>) => Promise<IpcResult<InvokeResponse<C>>>;
};

/** The API the window sees as `window.ferry`. Dropped files become paths here, never in the page. */
export type FerryApi = InvokeApi & {
  on<C extends PushChannel>(channel: C, listener: (payload: PushPayload<C>) => void): () => void;
  /** Adds dropped `File`s: the bridge turns them into paths and calls `uploads:add-dropped`. */
  addDroppedFiles(files: readonly File[]): ReturnType<InvokeApi['uploadsAddDropped']>;
};

export function methodNameOf(channel: string): string {
  const [scope, action = ''] = channel.split(':');
  return scope + action.replace(/(^|-)([a-z])/g, (_match, _dash, letter: string) => letter.toUpperCase());
}

/** Builds the API from a transport: one function per channel, with no way to name a raw channel. */
export function buildFerryApi(transport: IpcTransport, pathForFile: (file: File) => string): FerryApi {
  const api: Record<string, unknown> = {};
  for (const channel of invokeChannels)
    api[methodNameOf(channel)] = (payload: unknown = {}) => transport.invoke(channel, payload);
  api.on = (channel: PushChannel, listener: (payload: unknown) => void) => {
    if (!pushChannels.includes(channel)) throw new Error(`Unknown channel ${String(channel)}`);
    return transport.on(channel, listener);
  };
  api.addDroppedFiles = (files: readonly File[]) => {
    const paths = files.map((file) => pathForFile(file)).filter((path) => path.length > 0);
    return transport.invoke('uploads:add-dropped', { paths });
  };
  return api as FerryApi;
}
