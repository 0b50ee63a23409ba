/**
 * Tables of the play lease and of key rotation (migration 410-lease-rotation). Conventions as in
 * db/schema.ts: epoch-ms integers on the server clock, text ids.
 */
export interface PlayLeasesTable {
  user_id: string;
  /** normalizeSaveKey(key): one lease per user + save. */
  key_norm: string;
  /** The key as the device sent it (display form). */
  key: string;
  /** The device holding the lease (playing the game). */
  device_id: string;
  /** `write`: its daemon saw the save change; `launch`: a launcher hook reported the game starting. */
  reason: 'write' | 'launch';
  /** When this device took the lease (kept while it renews it). */
  since: number;
  /** Its latest claim: the idle window counts from here. */
  renewed_at: number;
}

export interface DeviceKeyRotationsTable {
  device_id: string;
  user_id: string;
  /** SHA-256 of the new key handed to the device, until the device first uses it. */
  pending_key_hash: string | null;
  pending_at: number | null;
  /** The dashboard asked the device to rotate; cleared when it has. */
  requested_at: number | null;
  /** When the key last changed. */
  rotated_at: number | null;
}

export interface LeaseTables {
  play_leases: PlayLeasesTable;
  device_key_rotations: DeviceKeyRotationsTable;
}
