/** Bundles `entry` (TypeScript) for plain Node and returns the bundle's path. */
export function bundleForNode(entry: string): Promise<string>;
