/** The package version (package.json's; a test holds them equal): Home Assistant's sw_version. */
export const VERSION = '0.1.0';
