/** The templates context's public surface: templates, their rendering and use cases. */
export * from './defaults.js';
export * from './errors.js';
export * from './handlebars.js';
export * from './handlebars-ast.js';
export * from './manage-templates.js';
export * from './mime.js';
export * from './ports.js';
export * from './template.js';
export * from './template-data.js';
