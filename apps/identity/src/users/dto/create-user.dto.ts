import { IntersectionType } from '@nestjs/swagger';
import { EmailField, NameField, NewPasswordField, RoleField } from './user-fields';

export class CreateUserDto extends IntersectionType(EmailField, NameField, NewPasswordField, RoleField) {}
