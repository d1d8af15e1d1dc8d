/**
 * The license-file layer: FlexLM-syntax parsing, validation, serialization, the canonical form
 * triad members compare, Ed25519 publisher signatures and host ids. Pure apart from the default
 * argument of the host-id helpers (os.networkInterfaces); time comes in as `nowMs`.
 */
export type { Diagnostic } from './diagnostic';
export { formatDiagnostic, hasErrors } from './diagnostic';
export type { Expiry, CalendarDate } from './expiry';
export { attributeDateMs, canonicalExpiryText, formatExpiry, formatLicenseDate, isExpired, parseLicenseDate } from './expiry';
export type {
  Attribute,
  BlankLine,
  CommentLine,
  Count,
  FeatureLine,
  LicenseFile,
  LicenseLine,
  PackageLine,
  ServerLine,
  SignedLine,
  UnknownLine,
  UpgradeLine,
  UseServerLine,
  VendorLine,
} from './model';
export { isUncounted, makeLicenseFile, signedLines } from './model';
export type { CommonAttributes } from './attributes';
export { attributeValue, commonAttributes, findAttribute, hasAttribute } from './attributes';
export { parseLicenseFile, parseLicenseText } from './parser';
export { validateLicenseFile } from './validate';
export { renderLine, serializeLicenseFile } from './render';
export { canonicalSignedForm, licenseHash, serverHostIds } from './canonical';
export { serverRanks } from './ranks';
export type { KeyFileParse, SignedClaim, TrustSeams, VendorKeyPair } from './signature';
export {
  TrustStore,
  VENDOR_NAME,
  formatVendorKeyFile,
  generateVendorKeyPair,
  keyFingerprint,
  parseVendorKeyFile,
  signLicenseFile,
  verifyFeature,
  verifyFeatures,
} from './signature';
export type { PublicKey, SignatureCache, SignatureCheck, SignatureVerifier } from './signatureChecks';
export { inThreadVerifier, signatureCheckKey } from './signatureChecks';
export { detectHostId, hostIdMatches, hostIdProblem, localHostIds, splitHostIdList } from './hostId';
export { checkLicenseText } from './report';
