const NAME_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * Check the name of an index kept in Redis; the message names the parameter. Kept apart
 * from the Redis store so that checking a setting does not load the Redis client.
 */
export function checkIndexName(name: string, parameter = '--name'): string {
  if (!NAME_RE.test(name)) {
    throw new Error(
      `${parameter} must be 1-63 lower-case letters, digits, "_" or "-", starting with a letter or digit (got ${JSON.stringify(name)})`,
    );
  }
  return name;
}
