export const PACKAGE_NAME = '@groundwork/pipeline';
