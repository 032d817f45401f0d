import { LowerCase } from '@flow-crm/http';
import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class MergeContactDto {
  @ApiProperty({ description: 'The duplicate to merge into this contact; it is deleted' })
  @LowerCase()
  @IsUUID()
  readonly sourceId: string;
}
