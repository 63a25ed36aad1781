export const PACKAGE_NAME = '@groundwork/cross-account-roles';
