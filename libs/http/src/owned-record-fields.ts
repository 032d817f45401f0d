import { OmittableId } from './fields';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { TagsField } from './tags';

/** What every owned, tagged record (contact, customer) takes besides its own fields. */
export class OwnedRecordFields extends TagsField {
  @ApiPropertyOptional({ description: 'admin and manager only; ignored for sales users' })
  @OmittableId()
  readonly ownerId?: string;
}
