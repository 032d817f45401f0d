import { SetMetadata } from '@nestjs/common';
import { type Role } from './principal';

export const IS_PUBLIC = 'flow-crm:public';
export const REQUIRED_ROLES = 'flow-crm:roles';

/** The route needs no access token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The route is for these roles only; others get 403. */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);
