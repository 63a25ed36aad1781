export const PACKAGE_NAME = '@groundwork/security-baseline';
