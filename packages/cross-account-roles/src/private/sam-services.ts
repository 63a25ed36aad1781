// Internal: what the AWS SAM transform (AWS::Serverless-2016-10-31) makes of each SAM resource type, as IAM
// service prefixes. CloudFormation expands a SAM resource into plain resources (a function, its role, event
// source mappings, rules, permissions...) before it creates them with the execution role, so the execution
// role needs the services of the generated resources, not a `serverless` prefix, which IAM does not have.
// Facts from the AWS SAM Developer Guide ("CloudFormation resources generated when ... is specified") and the
// SAM translator (samtranslator/model/sam_resources.py, eventsources/push.py, pull.py, scheduler.py).

/** The prefix of SAM resource types; the rest of the type names the template's `Globals` section of the type. */
const SAM_TYPE_PREFIX = 'AWS::Serverless::';

type Properties = { [key: string]: any };

/** A SAM property that is absent, or may be absent (`Fn::If` with `AWS::NoValue`): the transform may generate. */
function mayBeAbsent(value: unknown): boolean {
  return value === undefined || value === null || JSON.stringify(value).includes('"AWS::NoValue"');
}

/** A JSON object (not an array, not null). */
export function isObject(value: unknown): value is Properties {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The services that a function's `Events` entry adds: the resources the transform generates for it (a rule,
 * a subscription, an event source mapping...) and the Lambda permission of every push source.
 */
const FUNCTION_EVENT_SERVICES: { [eventType: string]: (props: Properties) => string[] } = {
  // Push sources: the source's resource, and a Lambda permission for the source's principal.
  S3: () => ['lambda', 's3'],
  // With an SQS subscription, a queue policy (and the queue itself unless one is given) and a mapping.
  SNS: (p) => ['lambda', 'sns', ...(p.SqsSubscription !== undefined && p.SqsSubscription !== false ? ['sqs'] : [])],
  Api: () => ['apigateway', 'lambda'],
  HttpApi: () => ['apigateway', 'lambda'],
  Schedule: (p) => ['events', 'lambda', ...deadLetterQueue(p)],
  CloudWatchEvent: (p) => ['events', 'lambda', ...deadLetterQueue(p)],
  EventBridgeRule: (p) => ['events', 'lambda', ...deadLetterQueue(p)],
  ScheduleV2: (p) => ['scheduler', ...(mayBeAbsent(p.RoleArn) ? ['iam'] : []), ...deadLetterQueue(p)],
  CloudWatchLogs: () => ['lambda', 'logs'],
  IoTRule: () => ['iot', 'lambda'],
  AlexaSkill: () => ['lambda'],
  Cognito: () => ['cognito-idp', 'lambda'],
  // Pull sources: an event source mapping (and the read permissions added to the function's role).
  Kinesis: () => ['lambda'],
  DynamoDB: () => ['lambda'],
  SQS: () => ['lambda'],
  MSK: () => ['lambda'],
  MQ: () => ['lambda'],
  SelfManagedKafka: () => ['lambda'],
  DocumentDB: () => ['lambda'],
};

/**
 * A state machine's `Events` entry: the rule, schedule or API method, and the role that starts executions,
 * which the transform creates for every event type (a `ScheduleV2` event and, per the SAM docs, a `Schedule`
 * event take a `RoleArn` instead).
 */
const STATE_MACHINE_EVENT_SERVICES: { [eventType: string]: (props: Properties) => string[] } = {
  Schedule: (p) => ['events', ...(mayBeAbsent(p.RoleArn) ? ['iam'] : []), ...deadLetterQueue(p)],
  CloudWatchEvent: (p) => ['events', 'iam', ...deadLetterQueue(p)],
  EventBridgeRule: (p) => ['events', 'iam', ...deadLetterQueue(p)],
  ScheduleV2: (p) => ['scheduler', ...(mayBeAbsent(p.RoleArn) ? ['iam'] : []), ...deadLetterQueue(p)],
  Api: () => ['apigateway', 'iam'],
};

/** `DeadLetterConfig: { Type: SQS }` without an `Arn` makes the transform create the queue. */
function deadLetterQueue(props: Properties): string[] {
  const dlq = props.DeadLetterConfig;
  return isObject(dlq) && dlq.Type === 'SQS' && mayBeAbsent(dlq.Arn) ? ['sqs'] : [];
}

function eventServices(
  resourceType: string,
  events: unknown,
  table: { [eventType: string]: (props: Properties) => string[] },
): string[] {
  if (!isObject(events)) return [];
  return Object.entries(events).flatMap(([name, event]) => {
    const eventType = isObject(event) ? event.Type : undefined;
    const services = typeof eventType === 'string' ? table[eventType] : undefined;
    if (!services) {
      throw new Error(
        `ServiceAllowList: cannot map event '${name}' of ${resourceType} to IAM service prefixes: ` +
          `expected an event Type of ${Object.keys(table).join(', ')}, found ${JSON.stringify(eventType)}`,
      );
    }
    return services(isObject(event) && isObject(event.Properties) ? event.Properties : {});
  });
}

/** `DestinationConfig.OnSuccess/OnFailure` of `Type` SQS or SNS without a `Destination`: a generated queue or topic. */
function destinationServices(eventInvokeConfig: unknown): string[] {
  const destinations = isObject(eventInvokeConfig) ? eventInvokeConfig.DestinationConfig : undefined;
  if (!isObject(destinations)) return [];
  return [destinations.OnSuccess, destinations.OnFailure].flatMap((d) =>
    isObject(d) && mayBeAbsent(d.Destination) && (d.Type === 'SQS' || d.Type === 'SNS') ? [d.Type.toLowerCase()] : [],
  );
}

/**
 * A REST or HTTP API: a custom domain's `Route53` settings are record sets, and a Lambda authorizer gets an
 * invoke permission (a REST API's unless `DisableFunctionDefaultPermissions`, an HTTP API's only with
 * `EnableFunctionDefaultPermissions`).
 */
function apiServices(http: boolean): (props: Properties) => string[] {
  return (props) => {
    const services = ['apigateway'];
    if (isObject(props.Domain) && isObject(props.Domain.Route53)) services.push('route53');
    const authorizers = isObject(props.Auth) && isObject(props.Auth.Authorizers) ? props.Auth.Authorizers : {};
    const permitted = Object.values(authorizers).some(
      (a) =>
        isObject(a) &&
        a.FunctionArn !== undefined &&
        (http ? a.EnableFunctionDefaultPermissions === true : a.DisableFunctionDefaultPermissions !== true),
    );
    if (permitted) services.push('lambda');
    return services;
  };
}

/**
 * A GraphQL API: AppSync, a role for logging unless `Logging: false` or a `CloudWatchLogsRoleArn` is given,
 * a role and policy for each DynamoDB or Lambda data source without a `ServiceRoleArn`, and an invoke
 * permission for each Lambda authorizer.
 */
function graphQlApiServices(props: Properties): string[] {
  const services = ['appsync'];
  const logging = props.Logging;
  const loggingRole = logging !== false && !(isObject(logging) && !mayBeAbsent(logging.CloudWatchLogsRoleArn));
  const sources = isObject(props.DataSources) ? props.DataSources : {};
  const dataSourceRole = [sources.DynamoDb, sources.Lambda].some(
    (kind) => isObject(kind) && Object.values(kind).some((d) => isObject(d) && mayBeAbsent(d.ServiceRoleArn)),
  );
  if (loggingRole || dataSourceRole) services.push('iam');
  const auth = isObject(props.Auth) ? props.Auth : {};
  const authTypes = [auth.Type, ...(Array.isArray(auth.Additional) ? auth.Additional.map((a: any) => a?.Type) : [])];
  if (authTypes.includes('AWS_LAMBDA')) services.push('lambda');
  return services;
}

/** The CloudFormation type a connector's source or destination has after the transform. */
const SAM_GENERATED_TYPES: { [samType: string]: string } = {
  'AWS::Serverless::Function': 'AWS::Lambda::Function',
  'AWS::Serverless::StateMachine': 'AWS::StepFunctions::StateMachine',
  'AWS::Serverless::SimpleTable': 'AWS::DynamoDB::Table',
  'AWS::Serverless::Api': 'AWS::ApiGateway::RestApi',
  'AWS::Serverless::HttpApi': 'AWS::ApiGatewayV2::Api',
  'AWS::Serverless::GraphQLApi': 'AWS::AppSync::GraphQLApi',
};

/**
 * Source and destination pairs that a connector grants with a resource policy (the SAM connector profiles):
 * a queue policy, a topic policy or a Lambda permission. Every other pair is an IAM managed policy on the
 * source's (or, for a queue or table read by a function, the destination's) role.
 */
const CONNECTOR_RESOURCE_POLICIES: { [destinationType: string]: { service: string; sources: string[] } } = {
  'AWS::SQS::Queue': { service: 'sqs', sources: ['AWS::Events::Rule', 'AWS::SNS::Topic'] },
  'AWS::SNS::Topic': { service: 'sns', sources: ['AWS::Events::Rule'] },
  'AWS::Lambda::Function': {
    service: 'lambda',
    sources: [
      'AWS::Events::Rule',
      'AWS::SNS::Topic',
      'AWS::S3::Bucket',
      'AWS::ApiGateway::RestApi',
      'AWS::ApiGatewayV2::Api',
      'AWS::AppSync::GraphQLApi',
    ],
  },
};

/**
 * The services of a connector (an `AWS::Serverless::Connector`'s properties, or an embedded `Connectors`
 * entry's `Properties` with the resource it is declared on as its source): per destination, the resource
 * policy's service, or `iam` for a managed policy.
 */
function connectorServices(
  where: string,
  connector: Properties,
  resources: { [id: string]: { Type?: string } },
  embeddedSourceType?: string,
): string[] {
  const typeOf = (end: unknown, role: string): string => {
    const type = isObject(end)
      ? typeof end.Type === 'string'
        ? end.Type
        : typeof end.Id === 'string'
          ? resources[end.Id]?.Type
          : undefined
      : undefined;
    if (typeof type !== 'string') {
      throw new Error(
        `ServiceAllowList: cannot map ${where} to IAM service prefixes: expected its ${role} to have a Type ` +
          `or the Id of a resource in the same template, found ${JSON.stringify(end)}`,
      );
    }
    return SAM_GENERATED_TYPES[type] ?? type;
  };
  const source = embeddedSourceType
    ? (SAM_GENERATED_TYPES[embeddedSourceType] ?? embeddedSourceType)
    : typeOf(connector.Source, 'Source');
  const destinations = Array.isArray(connector.Destination) ? connector.Destination : [connector.Destination];
  return destinations.map((destination) => {
    const policy = CONNECTOR_RESOURCE_POLICIES[typeOf(destination, 'Destination')];
    return policy && policy.sources.includes(source) ? policy.service : 'iam';
  });
}

const SAM_TYPES: { [resourceType: string]: (props: Properties) => string[] } = {
  'AWS::Serverless::Function': (p) => [
    'lambda',
    ...(mayBeAbsent(p.Role) ? ['iam'] : []),
    ...(isObject(p.DeploymentPreference)
      ? ['codedeploy', ...(mayBeAbsent(p.DeploymentPreference.Role) ? ['iam'] : [])]
      : []),
    ...destinationServices(p.EventInvokeConfig),
    ...eventServices('AWS::Serverless::Function', p.Events, FUNCTION_EVENT_SERVICES),
  ],
  'AWS::Serverless::StateMachine': (p) => [
    'states',
    ...(mayBeAbsent(p.Role) ? ['iam'] : []),
    ...eventServices('AWS::Serverless::StateMachine', p.Events, STATE_MACHINE_EVENT_SERVICES),
  ],
  'AWS::Serverless::Api': apiServices(false),
  'AWS::Serverless::HttpApi': apiServices(true),
  'AWS::Serverless::GraphQLApi': graphQlApiServices,
  'AWS::Serverless::SimpleTable': () => ['dynamodb'],
  'AWS::Serverless::LayerVersion': () => ['lambda'],
  // A nested stack.
  'AWS::Serverless::Application': () => ['cloudformation'],
};

/**
 * The IAM service prefixes of the resources the SAM transform generates for a SAM resource of `resourceType`
 * with `properties` (its `Globals` already merged in), or undefined when the type is not a SAM type.
 * `resources` is the template's, in which a connector's `Id` references are looked up.
 */
export function samServices(
  resourceType: string,
  properties: Properties = {},
  resources: { [id: string]: { Type?: string } } = {},
): string[] | undefined {
  if (!resourceType.startsWith(SAM_TYPE_PREFIX)) return undefined;
  if (resourceType === 'AWS::Serverless::Connector') {
    return [...new Set(connectorServices(`the ${resourceType}`, properties, resources))].sort();
  }
  const services = SAM_TYPES[resourceType];
  if (!services) {
    throw new Error(
      `ServiceAllowList: cannot map SAM resource type '${resourceType}' to IAM service prefixes ` +
        `(known SAM types: ${[...Object.keys(SAM_TYPES), 'AWS::Serverless::Connector'].join(', ')})`,
    );
  }
  return [...new Set(services(properties))].sort();
}

/**
 * The services of the connectors embedded in a resource (its `Connectors` attribute, the resource being each
 * connector's source).
 */
export function embeddedConnectorServices(
  logicalId: string,
  resource: { Type?: string; Connectors?: unknown },
  resources: { [id: string]: { Type?: string } },
): string[] {
  if (!isObject(resource.Connectors) || typeof resource.Type !== 'string') return [];
  return Object.entries(resource.Connectors).flatMap(([name, connector]) =>
    connectorServices(
      `connector '${name}' of resource '${logicalId}'`,
      isObject(connector) && isObject(connector.Properties) ? connector.Properties : {},
      resources,
      resource.Type,
    ),
  );
}

/**
 * A SAM resource's properties with its template's `Globals.<kind>` merged in, as the transform does: the
 * resource's own values win and maps are merged key by key (the transform also concatenates lists, but no
 * list that `Globals` may set changes the services). The
 * resource's `IgnoreGlobals` attribute (`'*'` or a list of property names) leaves globals out.
 */
export function withSamGlobals(
  resourceType: string,
  properties: Properties,
  globals: unknown,
  ignoreGlobals?: unknown,
): Properties {
  if (!resourceType.startsWith(SAM_TYPE_PREFIX) || ignoreGlobals === '*') return properties;
  const section = isObject(globals) ? globals[resourceType.slice(SAM_TYPE_PREFIX.length)] : undefined;
  if (!isObject(section)) return properties;
  const ignored = Array.isArray(ignoreGlobals) ? ignoreGlobals : [];
  const kept = Object.fromEntries(Object.entries(section).filter(([key]) => !ignored.includes(key)));
  return mergeGlobals(kept, properties);
}

function mergeGlobals(global: Properties, local: Properties): Properties {
  const merged: Properties = { ...global };
  for (const [key, value] of Object.entries(local)) {
    const base = merged[key];
    merged[key] = isObject(base) && isObject(value) ? mergeGlobals(base, value) : value;
  }
  return merged;
}
