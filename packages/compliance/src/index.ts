export const PACKAGE_NAME = '@groundwork/compliance';
