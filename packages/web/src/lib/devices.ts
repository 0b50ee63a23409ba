import type { DeviceType } from '@retrosync/api';

export const DEVICE_TYPE_LABELS: Record<DeviceType, string> = {
  rg35xx: 'Anbernic RG35XX',
  miyoo_flip: 'Miyoo Flip',
  miyoo_mini: 'Miyoo Mini',
  windows: 'Windows PC',
  mac: 'Mac',
  linux: 'Linux PC',
  other: 'Other device',
};

export function deviceTypeLabel(type: string): string {
  return (DEVICE_TYPE_LABELS as Record<string, string>)[type] ?? type;
}
