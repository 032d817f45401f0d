import { ProfileFields } from './user-fields';

/** PUT /api/auth/me: the caller's own profile; role, email and organization are not in it. */
export class UpdateProfileDto extends ProfileFields {}
