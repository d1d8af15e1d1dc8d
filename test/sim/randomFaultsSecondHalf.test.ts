import { seedSuite } from './world/seedSuite';

seedSuite(1);
