// Resource-policy cases for tests/corpus/policy.jsonl, answered by
// @cloud-copilot/iam-simulate (never a project dependency, never committed):
//
//   mkdir -p /tmp/iamsim && cd /tmp/iamsim && npm install @cloud-copilot/iam-simulate
//   NODE_PATH=/tmp/iamsim/node_modules node scripts/corpus/policies.mjs tests/corpus/policy.jsonl
//
// AWS principals are simulated cross-account (222222222222 calling a topic in
// 111111111111) with an allow-all identity policy, so the resource policy alone
// decides, as in alertpath. Where alertpath answers "unknown" by contract
// (undocumented AWS behaviour) the case says so in its source.
import { createRequire } from 'node:module'
import fs from 'node:fs'
import path from 'node:path'

const require = createRequire(path.join(process.env.NODE_PATH || '/tmp/iamsim/node_modules', 'x.js'))
const { runSimulation } = require('@cloud-copilot/iam-simulate')
const simVersion = JSON.parse(fs.readFileSync(path.join(process.env.NODE_PATH || '/tmp/iamsim/node_modules', '@cloud-copilot/iam-simulate/package.json'), 'utf8')).version
const ENGINE = `@cloud-copilot/iam-simulate ${simVersion} runSimulation`
const IAM_OPS = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html'

const TOPIC = 'arn:aws:sns:us-east-1:111111111111:alerts'
const RULE = 'arn:aws:events:us-east-1:111111111111:rule/guardduty'
const ROLE = 'arn:aws:iam::222222222222:role/ops'

const requests = {
  events: { principal: { service: 'events.amazonaws.com' }, action: 'sns:Publish', resource: TOPIC,
    context: { 'aws:SourceArn': [RULE], 'aws:SourceAccount': ['111111111111'] } },
  eventsOrg: { principal: { service: 'events.amazonaws.com' }, action: 'sns:Publish', resource: TOPIC,
    context: { 'aws:SourceArn': [RULE], 'aws:SourceAccount': ['111111111111'], 'aws:PrincipalOrgID': ['o-abc'] } },
  eventsOther: { principal: { service: 'events.amazonaws.com' }, action: 'sns:Publish', resource: TOPIC,
    context: { 'aws:SourceArn': ['arn:aws:events:us-east-1:999999999999:rule/x'], 'aws:SourceAccount': ['999999999999'] } },
  alarm: { principal: { service: 'cloudwatch.amazonaws.com' }, action: 'sns:Publish', resource: TOPIC,
    context: { 'aws:SourceArn': ['arn:aws:cloudwatch:us-east-1:111111111111:alarm:errors'], 'aws:SourceAccount': ['111111111111'] } },
  role: { principal: { aws: { account: '222222222222', arn: ROLE } }, action: 'sns:Publish', resource: TOPIC,
    context: { 'aws:PrincipalOrgID': ['o-abc'], 'aws:SecureTransport': ['true'] } },
  roleSubscribe: { principal: { aws: { account: '222222222222', arn: ROLE } }, action: 'sns:Subscribe', resource: TOPIC,
    context: { 'aws:SecureTransport': ['false'] } },
  roleMulti: { principal: { aws: { account: '222222222222', arn: ROLE } }, action: 'sns:Publish', resource: TOPIC,
    context: { 'aws:PrincipalOrgPaths': ['o-abc/r-1/ou-a/', 'o-abc/r-1/ou-b/'] } },
}

async function simulate(policy, req) {
  const ctx = {}
  for (const [k, v] of Object.entries(req.context)) ctx[k] = v.length === 1 && !k.endsWith('Paths') ? v[0] : v
  const isService = !!req.principal.service
  const sim = {
    identityPolicies: isService ? [] : [{ name: 'all', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
    serviceControlPolicies: [], resourceControlPolicies: [],
    resourcePolicy: policy,
    request: { action: req.action, principal: isService ? req.principal.service : req.principal.aws.arn,
      resource: { accountId: '111111111111', resource: req.resource }, contextVariables: ctx },
  }
  try {
    const r = await runSimulation(sim, {})
    if (r.resultType !== 'single') return null
    return { Allowed: 'Allow', ExplicitlyDenied: 'ExplicitDeny', ImplicitlyDenied: 'ImplicitDeny' }[r.overallResult] ?? null
  } catch (e) {
    return null
  }
}

const cases = []
let skipped = 0
async function add(family, statements, reqName, opts = {}) {
  const policy = { Version: opts.version ?? '2012-10-17', Statement: statements }
  const req = requests[reqName]
  const got = await simulate(policy, req)
  let expected = opts.expected ?? got
  let source = opts.source ?? ENGINE
  if (expected == null) { skipped++; return }
  if (opts.expected && got !== opts.expected) source = `${source}; ${ENGINE} says ${got ?? 'error'}`
  else if (opts.expected && opts.source) source = `${source}; agrees with ${ENGINE}`
  cases.push({ family, policy, request: req, expected, source })
}

const allow = (extra) => ({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish', Resource: TOPIC, ...extra })
const deny = (extra) => ({ Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Resource: TOPIC, ...extra })

// Principal forms
const principals = ['*', { AWS: '*' }, { AWS: '222222222222' }, { AWS: 'arn:aws:iam::222222222222:root' }, { AWS: ROLE },
  { AWS: 'arn:aws:iam::333333333333:root' }, { AWS: ['333333333333', ROLE] }, { Service: 'events.amazonaws.com' },
  { Service: ['sns.amazonaws.com', 'events.amazonaws.com'] }, { Service: 'cloudwatch.amazonaws.com' }]
for (const p of principals) for (const r of ['events', 'alarm', 'role']) {
  await add('principal', [{ Effect: 'Allow', Principal: p, Action: 'sns:Publish', Resource: TOPIC }], r)
  await add('principal-deny', [{ Effect: 'Allow', Principal: '*', Action: 'sns:Publish', Resource: TOPIC },
    { Effect: 'Deny', Principal: p, Action: 'sns:Publish', Resource: TOPIC }], r)
}
for (const p of [{ AWS: ROLE }, { Service: 'events.amazonaws.com' }, { AWS: '333333333333' }]) for (const r of ['events', 'alarm', 'role']) {
  await add('not-principal', [{ Effect: 'Allow', Principal: '*', Action: 'sns:Publish', Resource: TOPIC },
    { Effect: 'Deny', NotPrincipal: p, Action: 'sns:Publish', Resource: TOPIC }], r)
}
// Actions and NotAction
const actions = ['sns:Publish', 'sns:*', 'SNS:publish', 'sns:Pub*', 'sns:Publis?', 'sns:Get*', '*', 'sns:Subscribe', ['sns:Subscribe', 'sns:Publish']]
for (const a of actions) for (const r of ['events', 'roleSubscribe']) {
  await add('action', [{ Effect: 'Allow', Principal: '*', Action: a, Resource: TOPIC }], r)
  await add('action-deny', [{ Effect: 'Allow', Principal: '*', Action: 'sns:*', Resource: TOPIC }, { Effect: 'Deny', Principal: '*', Action: a, Resource: TOPIC }], r)
}
for (const a of ['sns:Subscribe', 'sns:*', 'sns:Pub*', ['sns:Publish', 'sns:Subscribe']]) for (const r of ['events', 'roleSubscribe']) {
  await add('not-action', [{ Effect: 'Allow', Principal: '*', NotAction: a, Resource: TOPIC }], r)
  await add('not-action-deny', [{ Effect: 'Allow', Principal: '*', Action: 'sns:*', Resource: TOPIC }, { Effect: 'Deny', Principal: '*', NotAction: a, Resource: TOPIC }], r)
}
// Resources, wildcards and NotResource
const resources = [TOPIC, '*', 'arn:aws:sns:*:111111111111:*', 'arn:aws:sns:us-east-1:111111111111:alert?', 'arn:aws:sns:us-east-1:*:alerts',
  'arn:aws:sns:*', 'arn:aws:sns:us-east-1:111111111111:other', 'arn:aws:sns:us-west-2:111111111111:alerts', 'arn:aws:sns:us-east-1:111111111111:ALERTS',
  'arn:aws:sns:us-east-1:111111111111:al*ts', 'arn:aws:*:us-east-1:111111111111:alerts']
for (const res of resources) for (const r of ['events', 'role']) {
  await add('resource', [{ Effect: 'Allow', Principal: '*', Action: 'sns:Publish', Resource: res }], r)
  await add('not-resource-deny', [{ Effect: 'Allow', Principal: '*', Action: 'sns:Publish', Resource: TOPIC }, { Effect: 'Deny', Principal: '*', Action: 'sns:Publish', NotResource: res }], r)
}
// Item 2: policy variables in Resource / NotResource. iam-simulate compares the
// account component literally ("Account does not match"), so the expected answer
// is the simulator's on the policy with the variable replaced as the IAM
// documentation says AWS does.
const VARS = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html'
async function addVariable(statements, r, version = '2012-10-17') {
  const req = requests[r]
  const text = JSON.stringify(statements)
  const substituted = JSON.parse(text.replace(/\$\{aws:SourceAccount(?:, '[^']*')?\}/g, req.context['aws:SourceAccount'][0]))
  const policy = { Version: version, Statement: statements }
  const plain = await simulate(policy, req)
  const expected = version === '2012-10-17' ? await simulate({ Version: version, Statement: substituted }, req) : plain
  if (expected == null) { skipped++; return }
  const source = version === '2012-10-17'
    ? `${VARS} (variables in Resource are replaced by the request's value) + ${ENGINE} on the substituted policy; ${ENGINE} on the policy as written says ${plain}`
    : `${VARS} (Version 2008-10-17 has no policy variables: the text is literal); ${ENGINE}`
  cases.push({ family: 'resource-variable', policy, request: req, expected, source })
}
for (const r of ['events', 'eventsOther', 'alarm']) {
  await addVariable([allow({ Principal: '*' }), deny({ Resource: 'arn:aws:sns:us-east-1:${aws:SourceAccount}:*' })], r)
  await addVariable([allow({ Principal: '*' }), deny({ Resource: undefined, NotResource: 'arn:aws:sns:us-east-1:${aws:SourceAccount}:*' })], r)
  await addVariable([allow({ Principal: '*', Resource: 'arn:aws:sns:us-east-1:${aws:SourceAccount}:alerts' })], r)
  await addVariable([allow({ Principal: '*', Resource: 'arn:aws:sns:us-east-1:${aws:SourceAccount}:*' })], r)
  await addVariable([allow({ Principal: '*', Resource: "arn:aws:sns:us-east-1:${aws:SourceAccount, '222222222222'}:alerts" })], r)
  await addVariable([allow({ Principal: '*', Resource: ['arn:aws:sns:us-east-1:${aws:SourceAccount}:alerts', 'arn:aws:sns:us-east-1:111111111111:other'] })], r)
  await addVariable([allow({ Principal: '*', Resource: 'arn:aws:sns:us-east-1:${aws:SourceAccount}:alerts' })], r, '2008-10-17')
}
const absentVar = `${'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html'} (what a Resource variable with no value in the request does is not documented for Resource): alertpath answers unknown`
for (const r of ['role']) {
  await add('resource-variable', [allow({ Principal: '*', Resource: 'arn:aws:sns:us-east-1:${aws:SourceAccount}:alerts' })], r, { expected: 'Unknown', source: absentVar })
  await add('resource-variable', [allow({ Principal: '*' }), deny({ Resource: 'arn:aws:sns:us-east-1:${aws:SourceAccount}:*' })], r, { expected: 'Unknown', source: absentVar })
}
// Conditions: every supported operator with IfExists / ForAnyValue / ForAllValues
const SINGLE_ON_MULTI = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html (multivalued context keys require a condition set operator; the result without one is not documented): alertpath answers unknown'
const stringOps = ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike']
const arnOps = ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike']
const mods = [(o) => o, (o) => `${o}IfExists`, (o) => `ForAnyValue:${o}`, (o) => `ForAllValues:${o}`, (o) => `ForAnyValue:${o}IfExists`, (o) => `ForAllValues:${o}IfExists`]
for (const op of stringOps) for (const m of mods) {
  for (const value of ['111111111111', '1111*', 'O-ABC']) {
    for (const r of ['events', 'eventsOther', 'role']) {
      const key = value === 'O-ABC' ? 'aws:PrincipalOrgID' : 'aws:SourceAccount'
      await add('condition-string', [allow({ Principal: '*', Condition: { [m(op)]: { [key]: value } } })], r)
    }
  }
  for (const r of ['roleMulti']) {
    // A single-valued operator on a key with several values in the request: the
    // IAM documentation says multivalued keys require a set operator and does not
    // say what happens without one, so alertpath answers unknown.
    const single = !m(op).startsWith('For')
    const opts = single ? { expected: 'Unknown', source: SINGLE_ON_MULTI } : {}
    await add('condition-multivalued', [allow({ Principal: '*', Condition: { [m(op)]: { 'aws:PrincipalOrgPaths': ['o-abc/r-1/ou-a/', 'o-abc/r-1/ou-c/'] } } })], r, opts)
    await add('condition-multivalued', [allow({ Principal: '*', Condition: { [m(op)]: { 'aws:PrincipalOrgPaths': 'o-abc/r-1/*' } } })], r, opts)
  }
}
for (const op of arnOps) for (const m of mods) {
  for (const value of [RULE, 'arn:aws:events:us-east-1:111111111111:rule/*', 'arn:aws:events:*:*:rule/guard?uty', 'arn:aws:sns:us-east-1:111111111111:*']) {
    for (const r of ['events', 'eventsOther', 'role']) {
      await add('condition-arn', [allow({ Principal: '*', Condition: { [m(op)]: { 'aws:SourceArn': value } } })], r)
    }
  }
}
for (const m of mods) for (const v of ['true', 'false']) for (const r of ['role', 'roleSubscribe', 'events']) {
  await add('condition-bool', [allow({ Principal: '*', Action: 'sns:*', Condition: { [m('Bool')]: { 'aws:SecureTransport': v } } })], r)
}
for (const v of ['true', 'false']) for (const key of ['aws:PrincipalOrgID', 'aws:SourceArn']) for (const r of ['events', 'role', 'eventsOrg']) {
  await add('condition-null', [allow({ Principal: '*', Condition: { Null: { [key]: v } } })], r)
  await add('condition-null-deny', [allow({ Principal: '*' }), deny({ Condition: { Null: { [key]: v } } })], r)
}
// Item 1: ForAnyValue with IfExists and an absent key is false (Allow does not apply, Deny does not apply)
for (const r of ['events', 'eventsOrg']) for (const op of ['ForAnyValue:StringEqualsIfExists', 'ForAnyValue:StringLikeIfExists', 'ForAnyValue:StringNotEqualsIfExists']) {
  await add('for-any-value-if-exists', [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish', Resource: TOPIC, Condition: { [op]: { 'aws:PrincipalOrgID': 'o-abc' } } }], r)
  await add('for-any-value-if-exists', [allow({ Principal: '*' }), deny({ Condition: { [op]: { 'aws:PrincipalOrgID': 'o-abc' } } })], r)
}
// Item 3: Arn* condition patterns with fewer than six components
const shortSrc = `${IAM_OPS} (Arn* operators match each of the six colon-delimited ARN components separately; a shorter pattern is not documented): alertpath answers unknown`
for (const value of ['arn:aws:events:*', '*', 'arn:*', 'arn:aws:events:us-east-1:*']) for (const op of ['ArnLike', 'ArnEquals', 'ArnNotLike']) for (const r of ['events']) {
  await add('arn-short-pattern', [allow({ Principal: '*', Condition: { [op]: { 'aws:SourceArn': value } } })], r, { expected: 'Unknown', source: shortSrc })
  await add('arn-short-pattern', [allow({ Principal: '*' }), deny({ Condition: { [op]: { 'aws:SourceArn': value } } })], r, { expected: 'Unknown', source: shortSrc })
}
for (const value of ['arn:aws:sns:*', 'arn:aws-cn:*']) for (const r of ['events']) {
  await add('arn-short-pattern', [allow({ Principal: '*', Condition: { ArnLike: { 'aws:SourceArn': value } } })], r)
}
// Allow/Deny precedence across several statements
const stmts = [allow({ Principal: '*' }), deny({}), allow({ Sid: 'pinned', Principal: '*', Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } } }),
  deny({ Sid: 'other', Condition: { StringNotEquals: { 'aws:SourceAccount': '111111111111' } } }), { Effect: 'Allow', Principal: '*', Action: 'sns:Subscribe', Resource: TOPIC }]
for (let i = 0; i < stmts.length; i++) for (let j = 0; j < stmts.length; j++) if (i !== j) for (const r of ['events', 'eventsOther']) {
  await add('precedence', [stmts[i], stmts[j]], r)
}

const out = process.argv[2] || 'tests/corpus/policy.jsonl'
fs.writeFileSync(out, cases.map((c, i) => JSON.stringify({ id: `pol-${String(i + 1).padStart(4, '0')}`, ...c })).join('\n') + '\n')
console.log(`policy: ${cases.length} cases (${skipped} skipped: engine error)`)
