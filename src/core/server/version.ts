/** The version every status, lmstat line and log banner reports. */
export const SERVER_VERSION = 'v1.0.0';
