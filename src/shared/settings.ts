import * as z from 'zod';

/**
 * The app's settings, validated in one place and migrated by version. Stored by electron-store in the
 * app; the renderer edits them through `settings:update`, which validates the merged result again.
 */
export const settingsVersion = 3;

const MiB = 1024 * 1024;

export const TargetSetting = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('embedded') }),
  z.object({
    kind: z.literal('tus'),
    endpoint: z
      .string()
      .url()
      .refine((url) => /^https?:\/\//i.test(url), 'Only http and https URLs'),
    /** Extra request headers, e.g. `Authorization`. */
    headers: z.record(z.string().min(1).max(256), z.string().max(8192)).default({}),
  }),
]);
export type TargetSetting = z.infer<typeof TargetSetting>;

export const WindowBounds = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(320),
  height: z.number().int().min(240),
  maximized: z.boolean().default(false),
});
export type WindowBounds = z.infer<typeof WindowBounds>;

export const Language = z.enum(['system', 'en', 'zh-CN']);
export type Language = z.infer<typeof Language>;
export const Theme = z.enum(['system', 'light', 'dark']);
export type Theme = z.infer<typeof Theme>;

/** Receiving from phones and other computers on the network (docs/RECEIVE-FROM-PHONE.md). Off until turned on. */
export const SharingSettings = z.object({
  enabled: z.boolean(),
  /** Asked for by the page before anything else; null is none. */
  pin: z
    .string()
    .regex(/^\d{4,12}$/, 'A PIN is 4 to 12 digits')
    .nullable(),
  /** A new device's first upload waits until someone presses Accept. */
  requireAccept: z.boolean(),
  /** Sharing turns itself off after this long without a request from any device. */
  idleMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
});
export type SharingSettings = z.infer<typeof SharingSettings>;
const defaultSharing: SharingSettings = { enabled: false, pin: null, requireAccept: true, idleMinutes: 15 };

export const Settings = z.object({
  version: z.literal(settingsVersion),
  target: TargetSetting.default({ kind: 'embedded' }),
  /** Files uploading at once. */
  concurrency: z.number().int().min(1).max(16).default(4),
  /** Chunks in flight per file (tus concatenation where the target has it). */
  parallelParts: z.number().int().min(1).max(8).default(1),
  chunkSizeBytes: z
    .number()
    .int()
    .min(256 * 1024)
    .max(1024 * MiB)
    .default(8 * MiB),
  /** Bytes per second for all uploads together; null is unlimited. */
  rateLimitBytesPerSecond: z
    .number()
    .int()
    .min(16 * 1024)
    .nullable()
    .default(null),
  /** Where the embedded receiver stores files; empty means `<Downloads>/Ferry`. */
  receiveFolder: z.string().max(4096).default(''),
  /** The embedded receiver's port on 127.0.0.1; 0 picks one at first launch and keeps it. */
  receiverPort: z.number().int().min(0).max(65535).default(0),
  notifications: z.boolean().default(true),
  startAtLogin: z.boolean().default(false),
  language: Language.default('system'),
  theme: Theme.default('system'),
  sharing: SharingSettings.default(() => ({ ...defaultSharing })),
  window: WindowBounds.optional(),
});
export type Settings = z.infer<typeof Settings>;

const editable = Settings.omit({ version: true, window: true }).shape;
type Editable = typeof editable;
type PatchShape = {
  [K in keyof Editable]: z.ZodOptional<Editable[K] extends z.ZodDefault<infer Inner> ? Inner : Editable[K]>;
};

/**
 * What the renderer may change; `version` and `window` belong to main. Built without the defaults, so
 * a patch carries only what was sent: a default filled in here would reset the user's other settings.
 * `sharing` is patched field by field (`{ sharing: { pin: '4821' } }`); the store merges it.
 */
export const SettingsPatch = z
  .object({
    ...(Object.fromEntries(
      Object.entries(editable).map(([key, schema]) => [
        key,
        (schema instanceof z.ZodDefault ? schema.unwrap() : schema).optional(),
      ]),
    ) as PatchShape),
    sharing: SharingSettings.partial().strict().optional(),
  })
  .strict();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

export function defaultSettings(): Settings {
  return Settings.parse({ version: settingsVersion });
}
