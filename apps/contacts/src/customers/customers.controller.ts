import { CurrentPrincipal, type Principal } from '@flow-crm/auth';
import { Page, PaginationQuery, ParseIdPipe } from '@flow-crm/http';
import { Body, Controller, Delete, Get, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type ContactResponse, toContactResponse } from '../contacts/contact.mapper';
import { type CustomerResponse } from './customer.mapper';
import { type CustomerHierarchy, CustomersService } from './customers.service';
import { CreateCustomerDto, ListCustomersQuery, UpdateCustomerDto } from './dto/customer.dto';

@ApiTags('customers')
@ApiBearerAuth()
@Controller('api/customers')
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Get()
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListCustomersQuery,
  ): Promise<Page<CustomerResponse>> {
    return this.customers.list(principal, query);
  }

  @Post()
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateCustomerDto,
  ): Promise<CustomerResponse> {
    return this.customers.create(principal, dto);
  }

  @Get(':id')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<CustomerResponse> {
    return this.customers.get(principal, id);
  }

  @Put(':id')
  put(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateCustomerDto,
  ): Promise<CustomerResponse> {
    return this.customers.update(principal, id, dto);
  }

  @Patch(':id')
  patch(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateCustomerDto,
  ): Promise<CustomerResponse> {
    return this.customers.update(principal, id, dto);
  }

  @Delete(':id')
  async remove(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: string) {
    await this.customers.remove(principal, id);
    return { success: true };
  }

  @Get(':id/contacts')
  async contacts(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Query() query: PaginationQuery,
  ): Promise<Page<ContactResponse>> {
    const { contacts, total } = await this.customers.contacts(principal, id, query);
    return Page.of(contacts.map(toContactResponse), total, query);
  }

  @Get(':id/hierarchy')
  hierarchy(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<CustomerHierarchy> {
    return this.customers.hierarchy(principal, id);
  }
}
