export const PACKAGE_NAME = '@groundwork/networking';
