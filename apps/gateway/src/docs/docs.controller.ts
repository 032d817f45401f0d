import { Public } from '@flow-crm/auth';
import { RawResponse } from '@flow-crm/http';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ApiDocs } from './api-docs';
import { type OpenApiDocument } from './openapi-merge';

/**
 * The merged OpenAPI document (bearer token required, like every route the contract does not
 * list as public) and Swagger UI over it. The UI page and its assets hold no API information and
 * are public, since a browser cannot send a token to open a page; the page asks for an access
 * token and sends it with every request, the document's included.
 */
@ApiExcludeController()
@RawResponse()
@Controller('api')
export class DocsController {
  constructor(private readonly docs: ApiDocs) {}

  @Get('docs-json')
  document(): Promise<OpenApiDocument> {
    return this.docs.document();
  }

  @Public()
  @Get('docs')
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Flow CRM API</title>
  <link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/api/docs/init.js"></script>
</body>
</html>`;
  }

  @Public()
  @Get('docs/init.js')
  @Header('Content-Type', 'application/javascript; charset=utf-8')
  init(): string {
    return SWAGGER_INIT;
  }
}

const SWAGGER_INIT = `const key = 'flow-crm.accessToken';
let token = sessionStorage.getItem(key);
if (!token) {
  token = (window.prompt('Access token (the "token" of POST /api/auth/login)') || '').trim();
  sessionStorage.setItem(key, token);
}
window.ui = SwaggerUIBundle({
  url: '/api/docs-json',
  dom_id: '#swagger-ui',
  requestInterceptor: (request) => {
    if (token && !request.headers.Authorization) request.headers.Authorization = 'Bearer ' + token;
    return request;
  },
});
`;
